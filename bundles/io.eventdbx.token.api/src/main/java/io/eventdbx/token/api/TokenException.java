package io.eventdbx.token.api;

/**
 * A token was refused, or a request it made was not allowed. Messages are safe to show to the caller: they
 * say what is wrong with the presented token or request, never a secret, and never whether another token exists.
 */
public final class TokenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason {
        /** No token, or one that is malformed, forged, expired, revoked or unknown. */
        UNAUTHENTICATED,
        /** A valid token that does not allow this. */
        FORBIDDEN,
        /** A request to the token service that is not valid (an unknown action, a bad expiration). */
        INVALID,
        /**
         * A valid token whose write allowance is used up.
         *
         * @since 1.3
         */
        WRITE_LIMIT_REACHED,
        /**
         * Token records cannot be read or written now (storage failed); the request may succeed later.
         *
         * @since 1.3
         */
        UNAVAILABLE
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason why
     * @param message what, for the caller
     */
    public TokenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the token or request was refused. */
    public Reason reason() {
        return reason;
    }
}
