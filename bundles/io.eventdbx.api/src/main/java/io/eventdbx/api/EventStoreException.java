package io.eventdbx.api;

import java.util.Objects;

/**
 * A request the store refused, with a stable {@link Code} that every surface maps to its own status (HTTP,
 * gRPC, exit code). Messages name what was wrong and never contain payloads or secrets.
 */
public class EventStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Stable error codes. */
    public enum Code {
        /** Malformed input: identifiers, JSON, sizes, unknown options. */
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
        UNAVAILABLE
    }

    private final Code code;

    /**
     * Creates the exception.
     *
     * @param code the stable code
     * @param message what was wrong
     */
    public EventStoreException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
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
    }

    /** The stable code. */
    public Code code() {
        return code;
    }
}
