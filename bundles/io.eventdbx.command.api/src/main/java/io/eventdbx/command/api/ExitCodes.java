package io.eventdbx.command.api;

/** The process exit codes every {@code dbx} command uses. */
public final class ExitCodes {

    /** The command did what was asked. */
    public static final int OK = 0;

    /** The command was understood but failed; the reason is on standard error. */
    public static final int FAILURE = 1;

    /** The command line was wrong (unknown command or option, missing or malformed value). */
    public static final int USAGE = 2;

    /** The caller is not authenticated: no token, or one that is malformed, forged, expired or revoked. */
    public static final int UNAUTHENTICATED = 3;

    /** The caller is authenticated but not allowed this (action, resource or write limit). */
    public static final int DENIED = 4;

    private ExitCodes() {}
}
