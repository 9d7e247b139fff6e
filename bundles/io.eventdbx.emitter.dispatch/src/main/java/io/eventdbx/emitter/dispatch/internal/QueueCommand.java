package io.eventdbx.emitter.dispatch.internal;

import io.eventdbx.access.api.Administration;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.CommandException;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import io.eventdbx.emitter.api.PluginAdmin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbx queue [clear|retry]}: the plugins' pending and dead events. Needs {@code plugin.manage}. */
@CommandCapability("queue")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=queue",
            DbxCommand.DESCRIPTION_PROPERTY + "=Show, clear and retry the plugins' pending and dead events",
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class QueueCommand implements DbxCommand {

    private final PluginAdmin admin;
    private final EventAccess door;
    private final CommandRunner runner = new CommandRunner();

    /**
     * Creates the command.
     *
     * @param admin the dispatcher
     * @param door the access service, which decides who may manage plugins
     */
    @Activate
    public QueueCommand(@Reference PluginAdmin admin, @Reference EventAccess door) {
        this.admin = admin;
        this.door = door;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        CommandLine commandLine = new CommandLine(new Show(context));
        commandLine.addSubcommand(new Clear(context));
        commandLine.addSubcommand(new Retry(context));
        return runner.run("dbx queue", commandLine, context, args);
    }

    @Command(
            name = "queue",
            mixinStandardHelpOptions = true,
            description = "Every plugin's pending retries and dead events, with their event ids.")
    final class Show implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        Show(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            List<PluginAdmin.QueueEntry> entries = PluginCommand.call(door, context, admin::queue);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put(
                    "pending",
                    entries.stream().filter(e -> e.state().equals("pending")).count());
            out.put(
                    "dead",
                    entries.stream().filter(e -> e.state().equals("dead")).count());
            out.put(
                    "entries",
                    entries.stream()
                            .map(e -> {
                                Map<String, Object> m = new LinkedHashMap<>();
                                m.put("plugin", e.plugin());
                                m.put("state", e.state());
                                m.put("event_id", e.eventId());
                                m.put("aggregate_type", e.aggregateType());
                                m.put("aggregate_id", e.aggregateId());
                                m.put("version", e.version());
                                m.put("position", e.position());
                                m.put("attempts", e.attempts());
                                m.put("next_attempt", e.nextAttempt());
                                m.put("last_error", e.lastError());
                                return m;
                            })
                            .toList());
            return out;
        }
    }

    @Command(
            name = "clear",
            mixinStandardHelpOptions = true,
            description = "Drop every dead event from the queue (asks first; pending retries stay).")
    final class Clear implements Callable<Object> {
        private final CommandContext context;

        @Option(names = "--yes", description = "Do not ask.")
        boolean yes;

        Clear(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            door.authorize(context.caller(), Administration.PLUGINS);
            if (!yes) {
                context.out().print("Drop every dead plugin event from the queue? [y/N] ");
                context.out().flush();
                String answer;
                try {
                    answer = new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8)).readLine();
                } catch (IOException e) {
                    answer = null;
                }
                if (answer == null
                        || !(answer.trim().equalsIgnoreCase("y")
                                || answer.trim().equalsIgnoreCase("yes"))) {
                    throw new CommandException(
                            "nothing cleared (confirm with y, or pass --yes)", ExitCodes.FAILURE, null);
                }
            }
            int cleared = PluginCommand.call(door, context, admin::clearDead);
            return cleared + " dead event(s) dropped";
        }
    }

    @Command(
            name = "retry",
            mixinStandardHelpOptions = true,
            description = "Make dead events pending again, due now: all of them, or one by its event id.")
    final class Retry implements Callable<Object> {
        private final CommandContext context;

        @Option(names = "--event-id", paramLabel = "<uuid>", description = "Only this event.")
        String eventId;

        Retry(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            int revived = PluginCommand.call(door, context, () -> admin.retry(eventId));
            if (eventId != null && revived == 0) {
                throw new CommandException(
                        "no dead event has id " + Dispatcher.printable(eventId) + "; see dbx queue",
                        ExitCodes.FAILURE,
                        null);
            }
            return revived + " event(s) queued for another attempt";
        }
    }
}
