package io.eventdbx.command.support;

import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.CommandException;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.ExitCodes;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a {@link DbxCommand} and contains its failures: a {@link CommandException} becomes its message and
 * exit code; any other exception is a bug, reported to the user in one line and to the log in full. Every
 * path that runs commands (control socket, embedded gateway, Gogo shell) goes through here.
 */
public final class CommandInvoker {

    private static final Logger LOG = LoggerFactory.getLogger(CommandInvoker.class);

    /**
     * Runs a command.
     *
     * @param name the command word, for messages
     * @param command the command
     * @param context the caller's streams and identity
     * @param args the arguments after the command word
     * @return the exit code
     */
    public int invoke(String name, DbxCommand command, CommandContext context, List<String> args) {
        try {
            return command.execute(context, List.copyOf(args));
        } catch (CommandException e) {
            context.err().println("error: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException | LinkageError e) {
            LOG.error("command '{}' failed", name, e);
            context.err()
                    .println("error: command '" + name + "' failed unexpectedly ("
                            + e.getClass().getSimpleName() + "); details are in the server log");
            return ExitCodes.FAILURE;
        } finally {
            context.out().flush();
            context.err().flush();
        }
    }
}
