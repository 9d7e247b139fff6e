package io.eventdbx.access.api;

import java.util.Map;
import java.util.Objects;

/**
 * A request that was refused, with a stable {@link Code} and details for machines ({@link #details()}): the one
 * thing a surface reads to choose its status. Messages name what was wrong, for people; no surface reads them.
 */
public final class Refusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The complete set of reasons a request is refused. */
    public enum Code {
        /** Malformed input: identifiers, JSON, numbers out of range, page bounds, unknown options. */
        INVALID_ARGUMENT,
        /** No token, or a token that is malformed, forged, expired, revoked or unknown. */
        UNAUTHENTICATED,
        /** A valid token that does not allow this action on this resource. */
        FORBIDDEN,
        /** The token's write allowance is used up (details: {@code remaining}, {@code limit}). */
        WRITE_LIMIT_REACHED,
        /** No such aggregate, version, event or schema. */
        NOT_FOUND,
        /** The expected version does not match (details: {@code current_version}), or the aggregate exists. */
        CONFLICT,
        /** The aggregate has events and cannot be removed. */
        NOT_EMPTY,
        /** The aggregate is archived and takes no events. */
        ARCHIVED,
        /**
         * The event breaks its schema (details: {@code aggregate_type}, {@code event_type}, and where known
         * {@code field} and {@code rule}).
         */
        SCHEMA_VIOLATION,
        /** The payload or request is larger than allowed (details: {@code limit}). */
        PAYLOAD_TOO_LARGE,
        /** Stored data failed an integrity check. */
        INTEGRITY,
        /**
         * The request cannot be served now: the store is shutting down or stopped after a failed sync, or token or
         * schema storage could not be read; retrying later may succeed.
         */
        UNAVAILABLE
    }

    private final Code code;
    private final Map<String, String> details;

    /**
     * Creates a refusal without details.
     *
     * @param code why
     * @param message what was wrong, for people
     */
    public Refusal(Code code, String message) {
        this(code, message, Map.of(), null);
    }

    /**
     * Creates a refusal.
     *
     * @param code why
     * @param message what was wrong, for people
     * @param details facts for machines (see each {@link Code}); never secrets or payloads
     * @param cause the underlying failure, or null
     */
    public Refusal(Code code, String message, Map<String, String> details, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.details = Map.copyOf(details);
    }

    /** Why the request was refused. */
    public Code code() {
        return code;
    }

    /** Facts for machines, by name: see each {@link Code}. */
    public Map<String, String> details() {
        return details;
    }
}
