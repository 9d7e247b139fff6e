package io.eventdbx.command.api;

import io.eventdbx.token.api.Principal;
import java.io.InputStream;
import java.io.PrintStream;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a command needs from whoever runs it: where to write results and errors, where to read confirmation
 * answers from, and who is asking.
 *
 * <p>Results go to {@link #out()}, diagnostics to {@link #err()}; a command never writes to
 * {@code System.out} directly, because the same command runs in the shell, over the control socket and in an
 * embedded runtime.
 */
@ProviderType
public interface CommandContext {

    /** Standard output of the caller; results only. */
    PrintStream out();

    /** Standard error of the caller; errors and warnings only. */
    PrintStream err();

    /** Standard input of the caller; may be at end of stream when the caller has no terminal. */
    InputStream in();

    /**
     * The authenticated caller: the local administrator (owner-only admin credential, or inside the server) or a
     * token holder. Anonymous callers never reach a command.
     */
    Principal caller();
}
