package io.eventdbx.launcher;

/** A launcher failure with a message for the user; exit code 1 unless stated. */
final class LauncherException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    LauncherException(String message) {
        this(message, 1, null);
    }

    LauncherException(String message, Throwable cause) {
        this(message, 1, cause);
    }

    LauncherException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
