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

    private RuntimeProperties() {}
}
