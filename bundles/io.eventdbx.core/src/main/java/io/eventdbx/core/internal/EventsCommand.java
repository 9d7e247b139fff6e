package io.eventdbx.core.internal;

import io.eventdbx.api.EventStore;
import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import io.eventdbx.token.api.Actions;
import io.eventdbx.views.RecordViews;
import java.util.List;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbx events}: the global log, every committed event in commit order. */
@CommandCapability("events")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=events",
            DbxCommand.DESCRIPTION_PROPERTY + "=Read the global log of committed events in commit order",
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class EventsCommand implements DbxCommand {

    private final EventStore store;
    private final CommandRunner runner = new CommandRunner();
    private final RecordViews views = new RecordViews();

    /**
     * Creates the command.
     *
     * @param store the event store
     */
    @Activate
    public EventsCommand(@Reference EventStore store) {
        this.store = store;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        return runner.run("dbx events", new Line(new Access(context.caller())), context, args);
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "Read the global log from a position.")
    final class Line implements Callable<Object> {
        private final Access access;

        Line(Access access) {
            this.access = access;
        }

        @Option(
                names = "--from",
                defaultValue = "1",
                paramLabel = "<position>",
                description = "First position (default 1).")
        long from;

        @Option(
                names = "--take",
                defaultValue = "100",
                paramLabel = "<n>",
                description = "Most events to show (default 100).")
        int take;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            // A caller limited to some aggregates sees only their events; positions keep their gaps.
            access.requireAny(Actions.AGGREGATE_READ);
            return AggregateCommand.guarded(() -> store.log(from, take).stream()
                    .filter(e -> access.allows(Actions.AGGREGATE_READ, e.aggregateType(), e.aggregateId()))
                    .map(views::event)
                    .toList());
        }
    }
}
