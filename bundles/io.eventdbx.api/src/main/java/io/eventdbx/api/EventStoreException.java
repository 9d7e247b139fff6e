package io.eventdbx.api;

import java.util.Map;
import java.util.Objects;

/**
 * A request the store refused, with a stable {@link Code} that every surface maps to its own status (HTTP,
 * gRPC, exit code). Messages name what was wrong and never contain payloads or secrets.
 */
public class EventStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Stable error codes. */
    public enum Code {
        /** Malformed input: identifiers, JSON, numbers out of range, page bounds, unknown options. */
        INVALID_ARGUMENT,
        /** No such aggregate, event or version. */
        NOT_FOUND,
        /** The expected version did not match, or the aggregate already exists. */
        CONFLICT,
        /** The aggregate is archived and takes no events. */
        ARCHIVED,
        /** The aggregate has events and cannot be removed. */
        NOT_EMPTY,
        /** Stored data failed an integrity check. */
        INTEGRITY,
        /** The store cannot serve requests (closed, or a write failed and it stopped to protect the data). */
        UNAVAILABLE,
        /**
         * The event breaks its schema; details: {@code aggregate_type}, {@code event_type}, {@code field} and
         * {@code rule} where they apply.
         *
         * @since 1.5
         */
        SCHEMA_VIOLATION,
        /**
         * The payload is larger than {@code max_payload_bytes}; details: {@code limit}.
         *
         * @since 1.5
         */
        PAYLOAD_TOO_LARGE,
        /**
         * The writer's allowance is used up (a {@link WriteCharge} refused).
         *
         * @since 1.5
         */
        WRITE_LIMIT_REACHED
    }

    private final Code code;
    private final Map<String, String> details;

    /**
     * Creates the exception.
     *
     * @param code the stable code
     * @param message what was wrong
     */
    public EventStoreException(Code code, String message) {
        this(code, message, Map.of());
    }

    /**
     * Creates the exception with facts for machines.
     *
     * @param code the stable code
     * @param message what was wrong
     * @param details facts by name (a conflict's {@code current_version}, a schema violation's field and rule)
     * @since 1.5
     */
    public EventStoreException(Code code, String message, Map<String, String> details) {
        this(code, message, details, null);
    }

    /**
     * Creates the exception with facts for machines and a cause.
     *
     * @param code the stable code
     * @param message what was wrong
     * @param details facts by name
     * @param cause the underlying failure, or null
     * @since 1.5
     */
    public EventStoreException(Code code, String message, Map<String, String> details, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.details = Map.copyOf(details);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param code the stable code
     * @param message what was wrong
     * @param cause the underlying failure
     */
    public EventStoreException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.details = Map.of();
    }

    /** The stable code. */
    public Code code() {
        return code;
    }

    /**
     * Facts for machines, by name; see each {@link Code}.
     *
     * @return the details, possibly empty
     * @since 1.5
     */
    public Map<String, String> details() {
        return details;
    }
}
