package io.eventdbx.config.internal;

/**
 * Names of the framework properties the launcher sets, and of the ConfigAdmin PIDs this bundle writes.
 * The launcher uses the same literal names; {@code docs/architecture.md} lists them.
 */
final class RuntimeProperties {

    /** Absolute data directory. */
    static final String DATA_DIR = "eventdbx.data.dir";
    /** Absolute config file. */
    static final String CONFIG_FILE = "eventdbx.config.file";
    /** {@code server} (network listeners on) or {@code embedded} (none). */
    static final String MODE = "eventdbx.mode";
    /** Prefix of settings given as command-line flags, e.g. {@code eventdbx.flag.port}. */
    static final String FLAG_PREFIX = "eventdbx.flag.";

    /** Every setting, plus data_dir, config_file and mode. */
    static final String RUNTIME_PID = "io.eventdbx.runtime";
    /** The control socket: bind_addr, admin_key_file. */
    static final String CONTROL_PID = "io.eventdbx.control";

    /**
     * Each component's own configuration PID and the runtime keys it gets (see docs/architecture.md). Settings that
     * change live are applied by the component's {@code @Modified}; the data directory never changes while the
     * runtime runs.
     */
    static final java.util.Map<String, java.util.List<String>> COMPONENT_KEYS = java.util.Map.ofEntries(
            java.util.Map.entry("io.eventdbx.store", java.util.List.of("data_dir")),
            java.util.Map.entry("io.eventdbx.crypto", java.util.List.of("data_dir")),
            java.util.Map.entry("io.eventdbx.token", java.util.List.of("data_dir")),
            java.util.Map.entry(
                    "io.eventdbx.core",
                    java.util.List.of("data_dir", "memory_threshold", "max_payload_bytes", "snapshot_threshold")),
            java.util.Map.entry("io.eventdbx.schema", java.util.List.of("data_dir", "restrict", "snapshot_threshold")),
            java.util.Map.entry("io.eventdbx.access", java.util.List.of("list_page_size", "page_limit")),
            java.util.Map.entry("io.eventdbx.rest", java.util.List.of("data_dir")),
            java.util.Map.entry(
                    "io.eventdbx.graphql",
                    java.util.List.of(
                            "graphql.max_depth",
                            "graphql.max_cost",
                            "graphql.max_aliases",
                            "graphql.max_request_bytes",
                            "list_page_size")),
            java.util.Map.entry("io.eventdbx.metrics", java.util.List.of("data_dir", "memory_threshold")),
            java.util.Map.entry(
                    "io.eventdbx.http",
                    java.util.List.of("port", "http_host", "api.rest", "api.graphql", "api.grpc", "grpc_listener")),
            java.util.Map.entry("io.eventdbx.emitter.dispatch", java.util.List.of("data_dir", "plugin_max_attempts")),
            java.util.Map.entry("io.eventdbx.emitter.process", java.util.List.of("data_dir")));

    private RuntimeProperties() {}
}
