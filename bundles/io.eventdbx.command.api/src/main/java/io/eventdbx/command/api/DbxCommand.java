package io.eventdbx.command.api;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One top-level {@code dbx} command, such as {@code config} or {@code aggregate}.
 *
 * <p>Implementations are registered as OSGi services with the service property {@value #NAME_PROPERTY} set to
 * the command word. The runtime finds the command by that word and calls {@link #execute}; sub-commands (for
 * example {@code aggregate apply}) are the first element of {@code args}.
 *
 * <p><b>Threading:</b> {@code execute} may be called concurrently from several threads (one per control
 * connection or shell session); implementations must be thread-safe. It blocks until the command finishes.
 */
@ConsumerType
public interface DbxCommand {

    /** Service property that names the command word ({@code config}, {@code status}, ...). */
    String NAME_PROPERTY = "dbx.command";

    /**
     * Service property: {@code true} if the command checks itself what its caller may do (action and resource,
     * per sub-command). Commands without it run only for administrators; this way a command that forgets
     * authorization fails closed.
     */
    String AUTHORIZES_PROPERTY = "dbx.command.authorizes";

    /** Service property with a one-line description shown by {@code dbx help}. */
    String DESCRIPTION_PROPERTY = "dbx.command.description";

    /**
     * Runs the command.
     *
     * @param context the caller's streams and identity
     * @param args the arguments after the command word, never {@code null}
     * @return the process exit code: {@link ExitCodes#OK}, {@link ExitCodes#FAILURE} or {@link ExitCodes#USAGE}
     */
    int execute(CommandContext context, List<String> args);
}
