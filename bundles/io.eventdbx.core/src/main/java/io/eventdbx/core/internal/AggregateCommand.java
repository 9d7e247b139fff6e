package io.eventdbx.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.Page;
import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.CommandException;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.ExitCodes;
import io.eventdbx.command.api.UsageException;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import io.eventdbx.command.support.OutputFormatter;
import io.eventdbx.token.api.Principal;
import io.eventdbx.views.RecordViews;
import java.util.ArrayList;
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
import picocli.CommandLine.Parameters;

/**
 * {@code dbx aggregate …}: every aggregate operation, an adapter on the {@link EventAccess} door, which checks what the
 * caller may do, attributes its writes, filters listings, pages and counts write allowances.
 */
@CommandCapability("aggregate")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=aggregate",
            DbxCommand.DESCRIPTION_PROPERTY + "=Append events and read, verify, prove, archive and restore aggregates",
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class AggregateCommand implements DbxCommand {

    private final EventAccess door;
    private final CommandRunner runner = new CommandRunner();
    private final RecordViews views = new RecordViews();
    private final ObjectMapper mapper = new ObjectMapper();
    private final OutputFormatter formatter = new OutputFormatter();

    /**
     * Creates the command.
     *
     * @param door every store operation, for a caller
     */
    @Activate
    public AggregateCommand(@Reference EventAccess door) {
        this.door = door;
    }

    @Override
    public int execute(CommandContext original, List<String> given) {
        // --token (the seed's flag, accepted on every sub-command) re-authenticates this one command as the token's
        // holder; the launcher sends it in the handshake instead, so this matters in the shell.
        List<String> args = new ArrayList<>(given);
        CommandContext context;
        try {
            context = withToken(original, args, door);
        } catch (Refusal e) {
            original.err().println("error: " + e.getMessage());
            return exitCode(e.code());
        }
        CommandLine commandLine = new CommandLine(new Root());
        for (Object sub : List.of(
                new Apply(context),
                new Create(),
                new Get(),
                new ListAggregates(context),
                new Replay(),
                new Verify(context),
                new Proof(),
                new Consistency(),
                new Snapshot(),
                new Commit(),
                new Remove())) {
            commandLine.addSubcommand(sub);
        }
        commandLine.addSubcommand("archive", new Archive(true));
        commandLine.addSubcommand("restore", new Archive(false));
        Principal caller = context.caller();
        commandLine.getSubcommands().values().forEach(sub -> ((Authorized) sub.getCommand()).caller = caller);
        return runner.run("dbx aggregate", commandLine, context, args);
    }

    /** A sub-command that checks what its caller may do. */
    abstract static class Authorized {
        Principal caller;
    }

    @Command(
            name = "aggregate",
            mixinStandardHelpOptions = true,
            description = "Work with aggregates and their events.")
    final class Root {}

    /** The aggregate named by position or by the seed's flags. */
    static final class Target {
        @Parameters(index = "0", arity = "0..1", paramLabel = "<type>")
        String positionalType;

        @Parameters(index = "1", arity = "0..1", paramLabel = "<id>")
        String positionalId;

        @Option(
                names = "--aggregate",
                paramLabel = "<type>",
                description = "Aggregate type (instead of the first argument).")
        String type;

        @Option(
                names = "--aggregate-id",
                paramLabel = "<id>",
                description = "Aggregate id (instead of the second argument).")
        String id;

        String type() {
            return pick(type, positionalType, "aggregate type (<type> or --aggregate)");
        }

        String id() {
            return pick(id, positionalId, "aggregate id (<id> or --aggregate-id)");
        }
    }

    static String pick(String flag, String positional, String what) {
        if (flag != null && positional != null && !flag.equals(positional)) {
            throw new UsageException("the " + what + " is given twice, differently");
        }
        String value = flag != null ? flag : positional;
        if (value == null) {
            throw new UsageException("missing " + what);
        }
        return value;
    }

    @Command(name = "apply", mixinStandardHelpOptions = true, description = "Append an event.")
    final class Apply extends Authorized implements Callable<Object> {
        private final CommandContext context;

        @Parameters(index = "0", arity = "0..1", paramLabel = "<type>")
        String positionalType;

        @Parameters(index = "1", arity = "0..1", paramLabel = "<id>")
        String positionalId;

        @Parameters(index = "2", arity = "0..1", paramLabel = "<event>")
        String positionalEvent;

        @Option(names = "--aggregate", paramLabel = "<type>")
        String type;

        @Option(names = "--aggregate-id", paramLabel = "<id>")
        String id;

        @Option(names = "--event", paramLabel = "<event>")
        String event;

        @Option(
                names = "--field",
                paramLabel = "KEY=VALUE",
                description = "A payload field (value as text); repeatable.")
        Map<String, String> fields;

        @Option(names = "--payload", paramLabel = "<json>", description = "The payload as a JSON object.")
        String payload;

        @Option(
                names = "--expected-version",
                paramLabel = "<n>",
                description = "Fail unless the aggregate is at this version (0: new).")
        Long expectedVersion;

        @Option(
                names = "--event-id",
                paramLabel = "<id>",
                description = "Idempotency key: a retry returns the original event.")
        String eventId;

        @Option(names = "--note", paramLabel = "<text>", description = "A note of up to 128 characters.")
        String note;

        @Option(names = "--stage", description = "Validate and queue the event until 'dbx aggregate commit'.")
        boolean stage;

        @Option(
                names = "--token",
                paramLabel = "<token>",
                description = "Act as this token's holder (checked before the command runs).")
        String token;

        @Mixin
        JsonOption json;

        Apply(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            String payloadJson;
            if (payload != null && fields != null) {
                throw new UsageException("give the payload either as --payload or as --field, not both");
            } else if (payload != null) {
                payloadJson = payload;
            } else {
                try {
                    payloadJson = mapper.writeValueAsString(fields == null ? Map.of() : new LinkedHashMap<>(fields));
                } catch (JsonProcessingException e) {
                    throw new UsageException("invalid --field: " + e.getOriginalMessage());
                }
            }
            String aggregateType = pick(type, positionalType, "aggregate type (<type> or --aggregate)");
            String aggregateId = pick(id, positionalId, "aggregate id (<id> or --aggregate-id)");
            AppendRequest request = new AppendRequest(
                    aggregateType,
                    aggregateId,
                    pick(event, positionalEvent, "event type (<event> or --event)"),
                    payloadJson,
                    note,
                    expectedVersion,
                    eventId,
                    null);
            // the door attributes the event to the caller (issued_by, covered by the event hash), checks what the
            // caller may do, answers a retry with its original record and takes the write allowance
            if (stage) {
                return guarded(() -> views.staged(door.stage(caller, request)));
            }
            return guarded(() -> views.event(join(door.append(caller, request))));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an aggregate with no events.")
    final class Create extends Authorized implements Callable<Object> {
        @Mixin
        Target target;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> views.state(door.create(caller, target.type(), target.id())));
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = "Show an aggregate's state (now, or at a version).")
    final class Get extends Authorized implements Callable<Object> {
        @Mixin
        Target target;

        @Option(names = "--version", paramLabel = "<n>", description = "The state as of this version.")
        Long version;

        @Option(names = "--include-events", description = "Also list the events up to that version.")
        boolean includeEvents;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> {
                AggregateState state = version == null
                        ? door.get(caller, target.type(), target.id())
                        : door.getAt(caller, target.type(), target.id(), version);
                Map<String, Object> view = views.state(state);
                if (includeEvents) {
                    List<Map<String, Object>> events = new ArrayList<>();
                    while (events.size() < state.version()) {
                        int take = (int) Math.min(1000, state.version() - events.size());
                        List<EventRecord> page = door.events(caller, target.type(), target.id(), events.size(), take);
                        if (page.isEmpty()) {
                            break;
                        }
                        page.forEach(e -> events.add(views.event(e)));
                    }
                    view.put("events", events);
                }
                return view;
            });
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List aggregates with version, Merkle root and archive status.")
    final class ListAggregates extends Authorized implements Callable<Object> {
        private final CommandContext context;

        ListAggregates(CommandContext context) {
            this.context = context;
        }

        @Option(names = "--skip", defaultValue = "0", paramLabel = "<n>")
        long skip;

        @Option(
                names = "--take",
                paramLabel = "<n>",
                description = "Page size (default: list_page_size; at most page_limit).")
        Integer take;

        @Option(
                names = "--cursor",
                paramLabel = "<cursor>",
                description = "Continue after the page that returned this cursor.")
        String cursor;

        @Option(names = "--stage", description = "List the staged events instead.")
        boolean staged;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> {
                if (staged) {
                    return door.staged(caller).stream().map(views::staged).toList();
                }
                Page<AggregateState> page = door.list(caller, cursor, skip, take);
                if (json.enabled()) {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("items", page.items().stream().map(views::state).toList());
                    view.put("next_cursor", page.nextCursor());
                    return view;
                }
                formatter.print(page.items().stream().map(views::summary).toList(), false, context.out());
                if (page.nextCursor() != null) {
                    context.out().println("next page: --cursor " + page.nextCursor());
                }
                return null;
            });
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "List an aggregate's events in order.")
    final class Replay extends Authorized implements Callable<Object> {
        @Mixin
        Target target;

        @Option(names = "--skip", defaultValue = "0", paramLabel = "<n>")
        long skip;

        @Option(names = "--take", defaultValue = "100", paramLabel = "<n>")
        int take;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> {
                return door.events(caller, target.type(), target.id(), skip, take).stream()
                        .map(views::event)
                        .toList();
            });
        }
    }

    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Recompute every event hash and the Merkle root from the stored events.")
    final class Verify extends Authorized implements Callable<Object> {
        private final CommandContext context;

        Verify(CommandContext context) {
            this.context = context;
        }

        @Mixin
        Target target;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> {
                var result = door.verify(caller, target.type(), target.id());
                Map<String, Object> view = views.verify(result);
                if (!result.ok()) {
                    // The report is the output; the exit code says the aggregate failed verification.
                    formatter.print(view, json.enabled(), context.out());
                    context.err()
                            .println("error: " + result.aggregateType() + "/" + result.aggregateId()
                                    + " failed verification at version " + result.firstBadVersion() + ": "
                                    + result.problem());
                    return ExitCodes.FAILURE;
                }
                return view;
            });
        }
    }

    @Command(
            name = "proof",
            mixinStandardHelpOptions = true,
            description = "Prove that an event is in the aggregate's Merkle tree.")
    final class Proof extends Authorized implements Callable<Object> {
        @Mixin
        Target target;

        @Option(names = "--version", required = true, paramLabel = "<n>")
        long version;

        @Option(names = "--size", paramLabel = "<n>", description = "Tree size (default: the current version).")
        Long size;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> {
                var proof = door.proveInclusion(caller, target.type(), target.id(), version, size);
                return views.inclusion(proof);
            });
        }
    }

    @Command(
            name = "consistency",
            mixinStandardHelpOptions = true,
            description = "Prove that the history at one version is a prefix of the history at a later one.")
    final class Consistency extends Authorized implements Callable<Object> {
        @Mixin
        Target target;

        @Option(names = "--from", required = true, paramLabel = "<m>")
        long from;

        @Option(names = "--to", required = true, paramLabel = "<n>")
        long to;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> {
                var proof = door.proveConsistency(caller, target.type(), target.id(), from, to);
                return views.consistency(proof);
            });
        }
    }

    @Command(mixinStandardHelpOptions = true)
    final class Archive extends Authorized implements Callable<Object> {
        private final boolean archive;

        @Mixin
        Target target;

        @Option(names = "--comment", paramLabel = "<text>")
        String comment;

        @Mixin
        JsonOption json;

        Archive(boolean archive) {
            this.archive = archive;
        }

        @Override
        public Object call() {
            return guarded(() -> views.state(
                    archive
                            ? door.archive(caller, target.type(), target.id(), true, comment)
                            : door.archive(caller, target.type(), target.id(), false, comment)));
        }
    }

    @Command(
            name = "snapshot",
            mixinStandardHelpOptions = true,
            description = "Record the current state as a snapshot.")
    final class Snapshot extends Authorized implements Callable<Object> {
        @Mixin
        Target target;

        @Option(names = "--comment", paramLabel = "<text>")
        String comment;

        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            return guarded(() -> {
                var snapshot = door.snapshot(caller, target.type(), target.id(), comment);
                return views.snapshot(snapshot);
            });
        }
    }

    @Command(
            name = "commit",
            mixinStandardHelpOptions = true,
            description = "Append every staged event in one atomic write: all or nothing.")
    final class Commit extends Authorized implements Callable<Object> {
        @Mixin
        JsonOption json;

        @Override
        public Object call() {
            // committing appends every staged event: the door checks append on each of their aggregates
            return guarded(() -> {
                List<EventRecord> committed = door.commitStaged(caller);
                if (json.enabled()) {
                    return committed.stream().map(views::event).toList();
                }
                if (committed.isEmpty()) {
                    return "nothing is staged";
                }
                List<Map<String, Object>> rows = new ArrayList<>();
                for (EventRecord e : committed) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("aggregate_type", e.aggregateType());
                    row.put("aggregate_id", e.aggregateId());
                    row.put("event_type", e.eventType());
                    row.put("version", e.version());
                    row.put("position", e.position());
                    rows.add(row);
                }
                return rows;
            });
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove an aggregate that has no events.")
    final class Remove extends Authorized implements Callable<Object> {
        @Mixin
        Target target;

        @Override
        public Object call() {
            return guarded(() -> {
                door.remove(caller, target.type(), target.id());
                return "removed " + target.type() + "/" + target.id();
            });
        }
    }

    /**
     * Runs a store operation; a refusal becomes the command's error with the exit code of {@link #exitCode}.
     *
     * @param action the operation
     * @return its result
     */
    static Object guarded(java.util.function.Supplier<Object> action) {
        try {
            return action.get();
        } catch (Refusal e) {
            if (exitCode(e.code()) == ExitCodes.USAGE) {
                throw new UsageException(e.getMessage());
            }
            throw new CommandException(e.getMessage(), exitCode(e.code()), null);
        }
    }

    /** The exit code of each refusal (the launcher's one table, in {@link CommandRunner#exitCode}). */
    static int exitCode(Refusal.Code code) {
        return CommandRunner.exitCode(code);
    }

    /** The value of a durable write: the refusal it failed with, as it is. */
    static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : e;
        }
    }

    /**
     * Takes {@code --token <value>} (or {@code --token=<value>}) out of the arguments and, if it was there, returns
     * a context whose caller is the token's holder.
     *
     * @throws Refusal UNAUTHENTICATED if the token is refused
     */
    static CommandContext withToken(CommandContext context, List<String> args, EventAccess door) {
        String token = io.eventdbx.command.support.TokenArgument.take(args, 0);
        if (token == null) {
            return context;
        }
        return new io.eventdbx.command.support.SimpleCommandContext(
                context.out(), context.err(), context.in(), door.authenticate(token));
    }
}
