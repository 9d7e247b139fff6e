package io.eventdbx.config;

import java.util.Locale;

/** How strictly appended events are checked against schemas. */
public enum RestrictMode {
    /** No schema validation. */
    OFF,
    /** Validate events of aggregates that have a schema; allow aggregates without one. */
    DEFAULT,
    /** Every aggregate needs a schema before events can be appended. */
    STRICT;

    /**
     * Parses a mode, accepting the seed's aliases {@code true} (default) and {@code false} (off).
     *
     * @param text the mode as written by a user
     * @return the mode
     * @throws ConfigException if the text names no mode
     */
    public static RestrictMode parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "off":
            case "false":
                return OFF;
            case "default":
            case "true":
                return DEFAULT;
            case "strict":
                return STRICT;
            default:
                throw new ConfigException("unknown restriction mode '" + text
                        + "': expected off, default or strict (aliases: false = off, true = default)");
        }
    }

    /** The lower-case name used in files and output. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
