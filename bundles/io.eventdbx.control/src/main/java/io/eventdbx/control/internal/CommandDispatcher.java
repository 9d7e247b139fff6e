package io.eventdbx.control.internal;

import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.command.api.InteractiveShell;
import io.eventdbx.command.support.CommandInvoker;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Runs a command line ({@code [word, args...]}) for a caller: finds the command, runs it, and turns every
 * failure into a message and an exit code. The control socket and the in-process gateway both go through
 * here, so a command behaves the same whichever way it is reached.
 */
@Component(service = CommandDispatcher.class)
public final class CommandDispatcher {

    /** How long a declared but not yet registered command is waited for. */
    static final long START_WAIT_MILLIS = 30_000;

    private final CommandRegistry registry;
    private final CommandInvoker invoker = new CommandInvoker();
    private volatile InteractiveShell shell;

    /**
     * Creates the dispatcher.
     *
     * @param registry the known commands
     */
    @Activate
    public CommandDispatcher(@Reference CommandRegistry registry) {
        this.registry = registry;
    }

    /**
     * Runs a command line.
     *
     * @param argv the command word followed by its arguments
     * @param context the caller's streams and identity
     * @return the exit code
     */
    public int dispatch(List<String> argv, CommandContext context) {
        if (argv.isEmpty() || argv.get(0).equals("--help") || argv.get(0).equals("-h")) {
            argv = List.of("help");
        }
        String name = argv.get(0);
        Optional<DbxCommand> command;
        try {
            command = registry.find(name, START_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            context.err().println("error: interrupted while waiting for command '" + name + "'");
            return ExitCodes.FAILURE;
        }
        if (command.isEmpty()) {
            CommandRegistry.Declaration declaration = registry.declaration(name);
            if (declaration != null && !declaration.active()) {
                context.err()
                        .println("error: command '" + name + "' is provided by bundle " + declaration.bundle()
                                + ", which is not active; start it with 'dbx bundle start " + declaration.bundle()
                                + "'");
                return ExitCodes.FAILURE;
            }
            if (declaration != null) {
                context.err()
                        .println("error: command '" + name + "' is installed but not available: its component is not"
                                + " active (missing configuration or dependency; see the server log)");
                return ExitCodes.FAILURE;
            }
            context.err().println("error: unknown command '" + name + "'. Run 'dbx help' for the list of commands.");
            return ExitCodes.USAGE;
        }
        if (!context.caller().isAdministrator() && !registry.authorizesItself(name)) {
            context.err()
                    .println("forbidden: 'dbx " + name + "' needs the admin action; " + context.caller() + " does not"
                            + " hold it");
            return ExitCodes.DENIED;
        }
        return invoker.invoke(name, command.get(), context, argv.subList(1, argv.size()));
    }

    /**
     * Runs an interactive shell session for a caller.
     *
     * @param context the caller's streams and identity
     * @return the session's exit code, or {@link ExitCodes#FAILURE} if no shell is installed
     */
    public int shell(CommandContext context) {
        // Gogo can call any method of any service: only administrators get a shell.
        if (!context.caller().isAdministrator()) {
            context.err()
                    .println("forbidden: the interactive shell needs the admin action; " + context.caller()
                            + " does not hold it");
            return ExitCodes.DENIED;
        }
        InteractiveShell current = shell;
        if (current == null) {
            context.err().println("error: the shell feature is not installed in this runtime");
            return ExitCodes.FAILURE;
        }
        return current.run(context);
    }

    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setShell(InteractiveShell shell) {
        this.shell = shell;
    }

    void unsetShell(InteractiveShell shell) {
        if (this.shell == shell) {
            this.shell = null;
        }
    }
}
