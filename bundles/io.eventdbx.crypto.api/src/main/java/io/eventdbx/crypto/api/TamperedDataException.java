package io.eventdbx.crypto.api;

/** A sealed value did not open: it, or what it was bound to, was altered, or its key no longer exists. */
public final class TamperedDataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what did not open; never key material
     */
    public TamperedDataException(String message) {
        super(message);
    }
}
