package io.eventdbx.config;

import java.util.Locale;

/**
 * Every setting of {@code config.toml}, with its type, default and meaning.
 *
 * <p>A setting's {@link #key()} is its dotted path in the file ({@code port}, {@code api.rest},
 * {@code socket.bind_addr}); its environment variable is {@code EVENTDBX_} followed by the key in upper case
 * with dots as underscores ({@code EVENTDBX_SOCKET_BIND_ADDR}).
 */
public enum Setting {
    /** HTTP listener for REST and GraphQL. */
    PORT("port", Kind.PORT, 7070, "HTTP port shared by REST and GraphQL"),
    /** Where the data lives when the file is not inside it. */
    DATA_DIR("data_dir", Kind.PATH, null, "data directory (used when config.toml lives elsewhere, via --config)"),
    /** Schema restriction. */
    RESTRICT("restrict", Kind.RESTRICT, RestrictMode.DEFAULT, "schema restriction: off, default or strict"),
    /** Default page size of aggregate listings. */
    LIST_PAGE_SIZE("list_page_size", Kind.POSITIVE_INT, 10, "default page size of aggregate listings"),
    /** Upper bound of any requested page size. */
    PAGE_LIMIT("page_limit", Kind.POSITIVE_INT, 1000, "largest page any list or events request may ask for"),
    /** Delivery attempts before a plugin job is dead. */
    PLUGIN_MAX_ATTEMPTS("plugin_max_attempts", Kind.POSITIVE_INT, 10, "plugin delivery attempts before a job is dead"),
    /** Automatic snapshot interval. */
    SNAPSHOT_THRESHOLD("snapshot_threshold", Kind.POSITIVE_LONG, null, "take a snapshot every N events (unset: never)"),
    /** Hot aggregate cache bound. */
    MEMORY_THRESHOLD(
            "memory_threshold",
            Kind.POSITIVE_LONG,
            null,
            "most aggregates kept in the in-memory cache (unset: engine default)"),
    /** Largest accepted payload. */
    MAX_PAYLOAD_BYTES(
            "max_payload_bytes",
            Kind.POSITIVE_INT,
            262_144,
            "largest event payload accepted, in bytes of canonical JSON"),
    /** REST surface switch. */
    API_REST("api.rest", Kind.BOOLEAN, true, "serve the REST API"),
    /** GraphQL surface switch. */
    API_GRAPHQL("api.graphql", Kind.BOOLEAN, true, "serve the GraphQL API"),
    /** gRPC surface switch. */
    API_GRPC("api.grpc", Kind.BOOLEAN, true, "serve the gRPC API"),
    /** Deepest GraphQL selection. */
    GRAPHQL_MAX_DEPTH("graphql.max_depth", Kind.POSITIVE_INT, 12, "deepest selection a GraphQL query may nest"),
    /** Largest GraphQL query cost. */
    GRAPHQL_MAX_COST(
            "graphql.max_cost",
            Kind.POSITIVE_INT,
            50_000,
            "largest cost of a GraphQL query: each field 1, a list field's selections times its take"),
    /** Most GraphQL aliases. */
    GRAPHQL_MAX_ALIASES("graphql.max_aliases", Kind.POSITIVE_INT, 30, "most aliases one GraphQL query may use"),
    /** Largest GraphQL request. */
    GRAPHQL_MAX_REQUEST_BYTES(
            "graphql.max_request_bytes",
            Kind.POSITIVE_INT,
            1_048_576,
            "largest GraphQL request body (or GET query string), in bytes"),
    /** gRPC listener. */
    GRPC_BIND_ADDR(
            "grpc.bind_addr",
            Kind.BIND_ADDRESS,
            "0.0.0.0:7070",
            "gRPC listener (same port as HTTP shares the listener)"),
    /** Control socket listener. */
    SOCKET_BIND_ADDR(
            "socket.bind_addr",
            Kind.BIND_ADDRESS,
            "127.0.0.1:6363",
            "control socket for the dbx launcher and replication");

    /** The value types settings can have. */
    public enum Kind {
        /** TCP port 1..65535. */
        PORT,
        /** A file system path. */
        PATH,
        /** A {@link RestrictMode}. */
        RESTRICT,
        /** An integer of at least 1. */
        POSITIVE_INT,
        /** A long of at least 1. */
        POSITIVE_LONG,
        /** true or false. */
        BOOLEAN,
        /** host:port, port 0..65535 (0 picks a free port). */
        BIND_ADDRESS
    }

    private final String key;
    private final Kind kind;
    private final Object defaultValue;
    private final String description;

    Setting(String key, Kind kind, Object defaultValue, String description) {
        this.key = key;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Dotted path in config.toml. */
    public String key() {
        return key;
    }

    /** The value type. */
    public Kind kind() {
        return kind;
    }

    /** The default, or {@code null} when unset by default. */
    public Object defaultValue() {
        return defaultValue;
    }

    /** One-line meaning, for help and documentation. */
    public String description() {
        return description;
    }

    /** The environment variable that overrides the file. */
    public String environmentVariable() {
        return "EVENTDBX_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Finds a setting by its key.
     *
     * @param key a dotted key such as {@code api.rest}
     * @return the setting, or {@code null} if no setting has that key
     */
    public static Setting byKey(String key) {
        for (Setting setting : values()) {
            if (setting.key.equals(key)) {
                return setting;
            }
        }
        return null;
    }

    /**
     * Converts and validates a value given as text (a flag, an environment variable) or as a TOML value.
     *
     * @param raw a String, Number or Boolean
     * @return the typed value: Integer, Long, Boolean, String or {@link RestrictMode}
     * @throws ConfigException naming this setting if the value is invalid
     */
    public Object parse(Object raw) {
        if (raw == null) {
            throw invalid("null", "a value is required");
        }
        String text = raw.toString().trim();
        switch (kind) {
            case PORT: {
                long port = parseLong(text);
                if (port < 1 || port > 65535) {
                    throw invalid(text, "must be a port between 1 and 65535");
                }
                return (int) port;
            }
            case POSITIVE_INT: {
                long value = parseLong(text);
                if (value < 1 || value > Integer.MAX_VALUE) {
                    throw invalid(text, "must be a whole number between 1 and " + Integer.MAX_VALUE);
                }
                return (int) value;
            }
            case POSITIVE_LONG: {
                long value = parseLong(text);
                if (value < 1) {
                    throw invalid(text, "must be a whole number of at least 1");
                }
                return value;
            }
            case BOOLEAN:
                if (raw instanceof Boolean b) {
                    return b;
                }
                if (text.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                if (text.equalsIgnoreCase("false")) {
                    return Boolean.FALSE;
                }
                throw invalid(text, "must be true or false");
            case RESTRICT:
                try {
                    return RestrictMode.parse(text);
                } catch (ConfigException e) {
                    throw new ConfigException(key + ": " + e.getMessage());
                }
            case PATH:
                if (text.isEmpty() || text.indexOf('\0') >= 0) {
                    throw invalid(text, "must be a non-empty path");
                }
                return text;
            case BIND_ADDRESS:
                BindAddress.parse(key, text);
                return text;
            default:
                throw new IllegalStateException("unhandled kind " + kind);
        }
    }

    private long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid(text, "must be a whole number");
        }
    }

    private ConfigException invalid(String value, String rule) {
        return new ConfigException("invalid " + key + " '" + value + "': " + rule);
    }
}
