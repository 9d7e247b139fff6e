package io.eventdbx.core.internal;

import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.EventFilter;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.Subscription;
import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import io.eventdbx.token.api.Principal;
import io.eventdbx.views.RecordViews;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dbx events}: the global log, every committed event in commit order; an adapter on the door. */
@CommandCapability("events")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=events",
            DbxCommand.DESCRIPTION_PROPERTY + "=Read the global log of committed events in commit order",
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class EventsCommand implements DbxCommand {

    private final EventAccess door;
    private final CommandRunner runner = new CommandRunner();
    private final RecordViews views = new RecordViews();
    private final com.fasterxml.jackson.databind.ObjectMapper mapper =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Creates the command.
     *
     * @param door every store operation, for a caller
     */
    @Activate
    public EventsCommand(@Reference EventAccess door) {
        this.door = door;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        return runner.run("dbx events", new Line(context), context, args);
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "Read the global log from a position.")
    final class Line implements Callable<Object> {
        private final CommandContext context;
        private final Principal caller;

        Line(CommandContext context) {
            this.context = context;
            this.caller = context.caller();
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

        @Option(
                names = "--follow",
                description = "After the events so far, print each new one as it is committed, until interrupted.")
        boolean follow;

        @Option(names = "--aggregate", paramLabel = "<type>", description = "Only events of this aggregate type.")
        String aggregateType;

        @Option(names = "--aggregate-id", paramLabel = "<id>", description = "Only events of this aggregate id.")
        String aggregateId;

        @Option(names = "--event", paramLabel = "<event>", description = "Only events of this type.")
        String eventType;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            EventFilter filter = new EventFilter(aggregateType, aggregateId, eventType);
            if (follow) {
                return follow(filter);
            }
            // A caller limited to some aggregates sees only their events; positions keep their gaps.
            return AggregateCommand.guarded(() -> door.feed(caller, from, take, filter).items().stream()
                    .map(views::event)
                    .toList());
        }

        /**
         * Prints every event from {@code --from} on, then each new one, one line each (JSON with {@code --json}),
         * until the command is interrupted (the launcher's client went away, Ctrl-C) or the store stops.
         */
        private Object follow(EventFilter filter) {
            PrintStream out = context.out();
            CountDownLatch ended = new CountDownLatch(1);
            AtomicReference<Throwable> why = new AtomicReference<>();
            Subscription subscription =
                    (Subscription) AggregateCommand.guarded(() -> door.subscribe(caller, from, filter, new EventSink() {
                        @Override
                        public void deliver(EventRecord event) throws IOException {
                            out.println(json.enabled() ? line(event) : summary(event));
                            if (out.checkError()) {
                                throw new IOException("the output is closed");
                            }
                        }

                        @Override
                        public void ended(Throwable cause) {
                            why.set(cause);
                            ended.countDown();
                        }
                    }));
            try {
                ended.await();
            } catch (InterruptedException stop) {
                // the client went away (the control socket's watcher interrupts), or the shell was stopped
                Thread.currentThread().interrupt();
                return ExitCodes.OK;
            } finally {
                subscription.close();
            }
            Throwable cause = why.get();
            if (cause != null && !(cause instanceof IOException)) {
                throw new io.eventdbx.command.api.CommandException(
                        "the stream of events ended: " + cause.getMessage(), ExitCodes.FAILURE, null);
            }
            return ExitCodes.OK;
        }

        private String line(EventRecord event) {
            try {
                return mapper.writeValueAsString(views.event(event));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("an event cannot be written as JSON", e);
            }
        }

        private static String summary(EventRecord event) {
            return event.position() + "  " + event.aggregateType() + "/" + event.aggregateId() + "  v" + event.version()
                    + "  " + event.eventType() + "  " + event.createdAt();
        }
    }
}
