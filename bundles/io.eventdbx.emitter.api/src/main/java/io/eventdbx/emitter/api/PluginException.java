package io.eventdbx.emitter.api;

/** A plugin request that cannot be done, with a message for an operator (never a secret). */
public class PluginException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a request failed, for a surface to map to its status. */
    public enum Reason {
        /** A bad name, type, option or value. */
        INVALID_ARGUMENT,
        /** No such instance. */
        NOT_FOUND,
        /** The instance's state does not allow it (removing an enabled one). */
        CONFLICT,
        /** The receiver could not be reached, or storage failed. */
        UNAVAILABLE
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason the reason
     * @param message the message
     */
    public PluginException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * The reason.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
