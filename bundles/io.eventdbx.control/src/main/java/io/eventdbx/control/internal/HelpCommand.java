package io.eventdbx.control.internal;

import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.ExitCodes;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code dbx help}: the commands this runtime has, with one line each. */
@CommandCapability("help")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=help",
            DbxCommand.DESCRIPTION_PROPERTY + "=List the available commands",
            // any authenticated caller may list commands: nothing in it is secret
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class HelpCommand implements DbxCommand {

    private final CommandRegistry registry;

    /**
     * Creates the command.
     *
     * @param registry the known commands
     */
    @Activate
    public HelpCommand(@Reference CommandRegistry registry) {
        this.registry = registry;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        if (!args.isEmpty()) {
            // "dbx help config" is "dbx config --help".
            return registry.describe().containsKey(args.get(0))
                    ? helpFor(context, args.get(0))
                    : unknown(context, args.get(0));
        }
        Map<String, String> commands = registry.describe();
        int width = commands.keySet().stream().mapToInt(String::length).max().orElse(0);
        context.out().println("Usage: dbx <command> [options]   (dbx <command> --help for details)");
        context.out().println();
        context.out().println("Lifecycle (handled by the launcher): start, stop, status, restart, destroy, shell");
        context.out().println();
        commands.forEach((name, description) ->
                context.out().println("  " + name + " ".repeat(width - name.length() + 2) + description));
        return ExitCodes.OK;
    }

    private int helpFor(CommandContext context, String name) {
        try {
            return registry.find(name, 0)
                    .map(command -> command.execute(context, List.of("--help")))
                    .orElse(ExitCodes.FAILURE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }

    private static int unknown(CommandContext context, String name) {
        context.err().println("error: unknown command '" + name + "'");
        return ExitCodes.USAGE;
    }
}
