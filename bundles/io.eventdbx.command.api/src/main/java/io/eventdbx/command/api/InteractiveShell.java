package io.eventdbx.command.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An interactive command shell (Gogo) bound to a caller's streams: reads lines from
 * {@link CommandContext#in()}, runs them, prints results, until end of input or {@code exit}.
 *
 * <p>Provided by the shell bundle; the control socket uses it for {@code dbx shell}.
 */
@ProviderType
public interface InteractiveShell {

    /**
     * Runs the session; blocks until it ends.
     *
     * @param context the caller's streams and identity
     * @return the exit code of the session, {@link ExitCodes#OK} on a normal end
     */
    int run(CommandContext context);
}
