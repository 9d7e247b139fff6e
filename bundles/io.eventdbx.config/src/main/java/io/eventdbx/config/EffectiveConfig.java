package io.eventdbx.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration in force: every {@link Setting} with its value and where the value came from.
 * Immutable.
 */
public final class EffectiveConfig {

    /** Where a value came from, lowest precedence first. */
    public enum Source {
        /** The built-in default. */
        DEFAULT,
        /** config.toml. */
        FILE,
        /** An {@code EVENTDBX_*} environment variable. */
        ENVIRONMENT,
        /** A command-line flag. */
        FLAG;

        /** Lower-case label for output. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String MASK = "********";

    private final Map<Setting, Object> values;
    private final Map<Setting, Source> sources;
    private final Map<String, Object> unknown;

    EffectiveConfig(Map<Setting, Object> values, Map<Setting, Source> sources, Map<String, Object> unknown) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
        this.sources = Collections.unmodifiableMap(new EnumMap<>(sources));
        this.unknown = Collections.unmodifiableMap(new LinkedHashMap<>(unknown));
    }

    /**
     * The value of a setting.
     *
     * @param setting the setting
     * @return its typed value, or {@code null} if unset
     */
    public Object get(Setting setting) {
        return values.get(setting);
    }

    /**
     * Where a setting's value came from.
     *
     * @param setting the setting
     * @return the source
     */
    public Source source(Setting setting) {
        return sources.getOrDefault(setting, Source.DEFAULT);
    }

    /**
     * The gRPC API's own listener, when it has one: {@code [grpc].bind_addr} set (in the file, the environment or a
     * flag) to a port other than the HTTP {@code port}, and gRPC enabled. By default gRPC shares the HTTP listener.
     *
     * @return the address, or empty when gRPC is served on the HTTP listener (or not at all)
     */
    public java.util.Optional<BindAddress> grpcListener() {
        if (!Boolean.TRUE.equals(values.get(Setting.API_GRPC))
                || source(Setting.GRPC_BIND_ADDR) == Source.DEFAULT
                || !(values.get(Setting.GRPC_BIND_ADDR) instanceof String text)) {
            return java.util.Optional.empty();
        }
        BindAddress address = BindAddress.parse(Setting.GRPC_BIND_ADDR.key(), text);
        return address.port() == port() ? java.util.Optional.empty() : java.util.Optional.of(address);
    }

    /** The HTTP port. */
    public int port() {
        return (Integer) values.get(Setting.PORT);
    }

    /** The restriction mode. */
    public RestrictMode restrict() {
        return (RestrictMode) values.get(Setting.RESTRICT);
    }

    /** The control socket listener. */
    public BindAddress socketBindAddress() {
        return BindAddress.parse(Setting.SOCKET_BIND_ADDR.key(), (String) values.get(Setting.SOCKET_BIND_ADDR));
    }

    /** The enabled API surfaces, in the order rest, graphql, grpc. */
    public List<String> apis() {
        List<String> apis = new ArrayList<>();
        if (Boolean.TRUE.equals(values.get(Setting.API_REST))) {
            apis.add("rest");
        }
        if (Boolean.TRUE.equals(values.get(Setting.API_GRAPHQL))) {
            apis.add("graphql");
        }
        if (Boolean.TRUE.equals(values.get(Setting.API_GRPC))) {
            apis.add("grpc");
        }
        return apis;
    }

    /** Keys of the file that no setting of this version knows, in file order. */
    public List<String> unknownKeys() {
        return List.copyOf(unknown.keySet());
    }

    /**
     * Every set value as flat properties (dotted keys), ready for ConfigAdmin: Integer, Long, Boolean or
     * String values; unset settings are left out.
     *
     * @return a new mutable map
     */
    public Map<String, Object> toProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        values.forEach((setting, value) -> {
            if (value != null) {
                props.put(setting.key(), value instanceof RestrictMode mode ? mode.label() : value);
            }
        });
        return props;
    }

    /**
     * The configuration for people to read: one entry per setting (and unknown file key) with value and
     * source. Values of keys that look secret are masked, so the result is safe to print or log.
     *
     * @return a list of {@code {key, value, source}} rows
     */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            Object value = values.get(setting);
            rows.add(row(
                    setting.key(),
                    value instanceof RestrictMode mode ? mode.label() : value,
                    source(setting).label()));
        }
        unknown.forEach((key, value) -> rows.add(row(key, value, "file (unknown key)")));
        return rows;
    }

    private static Map<String, Object> row(String key, Object value, String source) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", key);
        row.put("value", value != null && Secrets.looksSecret(key) ? MASK : value);
        row.put("source", source);
        return row;
    }
}
