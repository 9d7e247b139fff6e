package io.eventdbx.command.api;

/** The command line itself was wrong: an unknown option, a missing or malformed value. Exit code 2. */
public class UsageException extends CommandException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates a usage error.
     *
     * @param message which argument was wrong and why
     */
    public UsageException(String message) {
        super(message, ExitCodes.USAGE, null);
    }
}
