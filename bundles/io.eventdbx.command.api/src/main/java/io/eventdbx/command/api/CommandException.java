package io.eventdbx.command.api;

/**
 * A command failed for a reason the user can act on. The message is shown as it is, without a stack trace,
 * so it must say what was wrong and never contain secrets.
 */
public class CommandException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * Creates a failure with exit code {@link ExitCodes#FAILURE}.
     *
     * @param message what went wrong, in words a user understands
     */
    public CommandException(String message) {
        this(message, ExitCodes.FAILURE, null);
    }

    /**
     * Creates a failure with the given exit code and cause.
     *
     * @param message what went wrong, in words a user understands
     * @param exitCode the exit code to report
     * @param cause the underlying exception, or {@code null}
     */
    public CommandException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** The process exit code that reports this failure. */
    public int exitCode() {
        return exitCode;
    }
}
