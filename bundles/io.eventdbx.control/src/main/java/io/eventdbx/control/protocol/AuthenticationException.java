package io.eventdbx.control.protocol;

import java.io.IOException;

/** The server refused the client's credential. */
public class AuthenticationException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the server's reason
     */
    public AuthenticationException(String message) {
        super(message);
    }
}
