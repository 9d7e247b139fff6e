package io.eventdbx.control.protocol;

import java.io.IOException;

/** The peer broke the control protocol (bad greeting, oversized or malformed frame). */
public class ProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was wrong
     */
    public ProtocolException(String message) {
        super(message);
    }
}
