package io.eventdbx.schema.internal;

import io.eventdbx.access.api.Administration;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.command.api.CommandCapability;
import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.DbxCommand;
import io.eventdbx.command.api.UsageException;
import io.eventdbx.command.support.CommandRunner;
import io.eventdbx.command.support.JsonOption;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dbx schema …}: declare aggregate types, their events and field rules. */
@CommandCapability("schema")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=schema",
            DbxCommand.DESCRIPTION_PROPERTY + "=Declare aggregate types, their events and field rules",
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class SchemaCommand implements DbxCommand {

    private final SchemaRegistry registry;
    private final EventAccess door;
    private final CommandRunner runner = new CommandRunner();

    /**
     * Creates the command.
     *
     * @param schemas the registry
     * @param door the access service, which decides who may read and change schemas
     */
    @Activate
    public SchemaCommand(@Reference SchemaComponent schemas, @Reference EventAccess door) {
        this.registry = schemas.registry();
        this.door = door;
    }

    @Override
    public int execute(CommandContext context, List<String> given) {
        List<String> args = aggregateAsName(given);
        CommandLine line = new CommandLine(new Root());
        for (Object sub : List.of(
                new Create(),
                new Add(),
                new Remove(),
                new Annotate(),
                new ListSchemas(),
                new Show(),
                new Alter(),
                new Field())) {
            line.addSubcommand(sub);
        }
        line.getSubcommands().values().forEach(sub -> ((Sub) sub.getCommand()).context = context);
        return runner.run("dbx schema", line, context, args);
    }

    /**
     * EventfulDB's form: {@code schema <sub> --aggregate <name> …} means {@code schema <sub> <name> …}, for every
     * sub-command (those whose name is followed by an event or field take it positionally).
     */
    static List<String> aggregateAsName(List<String> args) {
        List<String> out = new ArrayList<>(args);
        for (int i = 1; i < out.size(); i++) {
            String arg = out.get(i);
            String name = null;
            if (arg.equals("--aggregate") && i + 1 < out.size()) {
                name = out.remove(i + 1);
                out.remove(i);
            } else if (arg.startsWith("--aggregate=")) {
                name = arg.substring("--aggregate=".length());
                out.remove(i);
            }
            if (name != null) {
                out.add(1, name);
                break;
            }
        }
        return out;
    }

    @Command(name = "schema", mixinStandardHelpOptions = true, description = "Manage schemas.")
    static final class Root {}

    /** A sub-command: knows its caller, checks the action, turns bad input into usage errors. */
    abstract class Sub implements Callable<Object> {
        CommandContext context;

        @Mixin
        JsonOption json;

        abstract boolean writes();

        abstract Object run();

        @Override
        public Object call() {
            door.authorize(context.caller(), writes() ? Administration.SCHEMA_WRITE : Administration.SCHEMA_READ);
            try {
                Object result = run();
                return result instanceof Schema s ? registry.view(s) : result;
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }

    /** The schema named positionally or with {@code --aggregate}. */
    static final class Name {
        @Parameters(index = "0", arity = "0..1", paramLabel = "<name>")
        String positional;

        @Option(names = "--aggregate", paramLabel = "<name>", description = "The schema (aggregate type).")
        String flag;

        String get() {
            if (positional != null && flag != null && !positional.equals(flag)) {
                throw new UsageException("the schema name is given twice, differently");
            }
            String name = positional != null ? positional : flag;
            if (name == null) {
                throw new UsageException("missing the schema name (<name> or --aggregate)");
            }
            return name;
        }
    }

    static List<String> names(List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(SchemaRegistry.checkEvent(part));
                    }
                }
            }
        }
        return out;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a schema for an aggregate type.")
    final class Create extends Sub {
        @Mixin
        Name name;

        @Option(names = "--events", required = true, split = ",", paramLabel = "<e1,e2,...>")
        List<String> events;

        @Option(names = "--snapshot-threshold", paramLabel = "<n>", description = "Default: the configured one.")
        Long threshold;

        @Override
        boolean writes() {
            return true;
        }

        @Override
        Object run() {
            if (threshold != null && threshold < 1) {
                throw new IllegalArgumentException("--snapshot-threshold must be 1 or more");
            }
            return registry.create(name.get(), names(events), threshold);
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Declare more events.")
    final class Add extends Sub {
        @Mixin
        Name name;

        @Option(names = "--events", required = true, split = ",", paramLabel = "<e1,e2,...>")
        List<String> events;

        @Override
        boolean writes() {
            return true;
        }

        @Override
        Object run() {
            List<String> added = names(events);
            return registry.change(name.get(), s -> {
                TreeMap<String, EventRule> all = new TreeMap<>(s.events());
                added.forEach(e -> all.putIfAbsent(e, new EventRule(null, List.of())));
                return s.withEvents(all);
            });
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a declared event.")
    final class Remove extends Sub {
        @Parameters(index = "0", paramLabel = "<name>")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "<event>")
        String positionalEvent;

        @Option(names = "--event", paramLabel = "<event>", description = "The event to remove (EventfulDB's form).")
        String optionEvent;

        @Override
        boolean writes() {
            return true;
        }

        @Override
        Object run() {
            if ((positionalEvent == null) == (optionEvent == null)) {
                throw new UsageException("name the event to remove once: <event> or --event <event>");
            }
            return registry.removeEvent(name, positionalEvent != null ? positionalEvent : optionEvent);
        }
    }

    @Command(name = "annotate", mixinStandardHelpOptions = true, description = "Set or clear an event's note.")
    final class Annotate extends Sub {
        @Parameters(index = "0", paramLabel = "<name>")
        String name;

        @Parameters(index = "1", paramLabel = "<event>")
        String event;

        @Option(names = "--note", paramLabel = "<text>")
        String note;

        @Option(names = "--clear", description = "Remove the note.")
        boolean clear;

        @Override
        boolean writes() {
            return true;
        }

        @Override
        Object run() {
            if (clear == (note != null)) {
                throw new IllegalArgumentException("give either --note TEXT or --clear");
            }
            if (note != null && note.length() > 256) {
                throw new IllegalArgumentException("--note is longer than 256 characters");
            }
            return registry.change(name, s -> {
                EventRule rule = s.events().get(event);
                if (rule == null) {
                    throw new IllegalArgumentException("schema " + name + " has no event " + event);
                }
                TreeMap<String, EventRule> all = new TreeMap<>(s.events());
                all.put(event, new EventRule(clear ? null : note, rule.fields()));
                return s.withEvents(all);
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List schemas.")
    final class ListSchemas extends Sub {
        @Override
        boolean writes() {
            return false;
        }

        @Override
        Object run() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Schema s : registry.list()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", s.name());
                row.put("version", s.version());
                row.put("events", String.join(",", s.events().keySet()));
                row.put("fields", s.fields().size());
                row.put("locked", s.locked());
                row.put("snapshot_threshold", s.snapshotThreshold());
                out.add(row);
            }
            return out;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a schema.")
    final class Show extends Sub {
        @Mixin
        Name name;

        @Override
        boolean writes() {
            return false;
        }

        @Override
        Object run() {
            String n = name.get();
            return registry.get(n).orElseThrow(() -> new IllegalArgumentException("schema " + n + " does not exist"));
        }
    }

    @Command(
            name = "alter",
            mixinStandardHelpOptions = true,
            description = {
                "Lock or unlock the aggregate type (--lock) or a field (--field F --lock), set the snapshot threshold,",
                "or add/remove the fields an event may carry (--event E --add/--remove)."
            })
    final class Alter extends Sub {
        @Mixin
        Name name;

        @Option(names = "--event", paramLabel = "<name>")
        String event;

        @Option(names = "--snapshot-threshold", paramLabel = "<n>")
        Long threshold;

        @Option(names = "--lock", paramLabel = "<true|false>", arity = "1")
        Boolean lock;

        @Option(names = "--field", paramLabel = "<name>")
        String field;

        @Option(names = "--add", split = ",", paramLabel = "<f1,f2,...>")
        List<String> add;

        @Option(names = "--remove", split = ",", paramLabel = "<f1,f2,...>")
        List<String> remove;

        @Override
        boolean writes() {
            return true;
        }

        @Override
        Object run() {
            if (threshold == null && lock == null && add == null && remove == null) {
                throw new IllegalArgumentException(
                        "nothing to change: give --lock, --snapshot-threshold, --add or --remove");
            }
            if ((add != null || remove != null) && event == null) {
                throw new IllegalArgumentException("--add and --remove change an event's fields: give --event");
            }
            if (threshold != null && threshold < 1) {
                throw new IllegalArgumentException("--snapshot-threshold must be 1 or more");
            }
            List<String> adding = names(add);
            List<String> removing = names(remove);
            return registry.change(name.get(), s -> {
                boolean locked = s.locked();
                TreeMap<String, FieldRule> fields = new TreeMap<>(s.fields());
                if (lock != null && field != null) {
                    fields.put(field, fields.getOrDefault(field, FieldRule.NONE).withLocked(lock));
                } else if (lock != null) {
                    locked = lock;
                }
                TreeMap<String, EventRule> events = new TreeMap<>(s.events());
                if (event != null) {
                    EventRule rule = events.get(event);
                    if (rule == null) {
                        throw new IllegalArgumentException("schema " + s.name() + " has no event " + event);
                    }
                    List<String> allowed = new ArrayList<>(rule.fields());
                    adding.stream().filter(f -> !allowed.contains(f)).forEach(allowed::add);
                    for (String f : removing) {
                        if (!allowed.remove(f)) {
                            throw new IllegalArgumentException("event " + event + " does not list field " + f);
                        }
                    }
                    events.put(event, new EventRule(rule.note(), allowed));
                }
                return s.with(locked, threshold != null ? threshold : s.snapshotThreshold(), events, fields);
            });
        }
    }

    @Command(
            name = "field",
            mixinStandardHelpOptions = true,
            description = "Set the rules of a field: type, required, regex, length, range, enum, lock.")
    final class Field extends Sub {
        @Parameters(index = "0", paramLabel = "<name>")
        String name;

        @Parameters(index = "1", paramLabel = "<field>")
        String field;

        @Option(
                names = "--type",
                paramLabel = "<type>",
                description = "text, integer, decimal, boolean, timestamp, date, object, array.")
        String type;

        @Option(names = "--required", description = "Every event that may carry it must carry it.")
        boolean required;

        @Option(names = "--optional", description = "Undo --required.")
        boolean optional;

        @Option(names = "--regex", paramLabel = "<pattern>", description = "The whole value must match.")
        String regex;

        @Option(names = "--length", paramLabel = "<min..max>", description = "Text length or array size bounds.")
        String length;

        @Option(names = "--range", paramLabel = "<min..max>", description = "Numeric bounds.")
        String range;

        @Option(names = "--enum", split = ",", paramLabel = "<a,b,...>", description = "Allowed values.")
        List<String> values;

        @Option(names = "--lock", paramLabel = "<true|false>", arity = "1", description = "Cannot change once set.")
        Boolean lock;

        @Option(names = "--clear", description = "Remove every rule of the field.")
        boolean clear;

        @Override
        boolean writes() {
            return true;
        }

        @Override
        Object run() {
            SchemaRegistry.checkEvent(field);
            if (type != null && !FieldRule.TYPES.contains(type)) {
                throw new IllegalArgumentException("--type must be one of " + String.join(", ", FieldRule.TYPES));
            }
            if (required && optional) {
                throw new IllegalArgumentException("--required and --optional contradict each other");
            }
            if (regex != null) {
                Rules.checkRegex(regex);
            }
            String[] len = SchemaJson.split(length);
            String[] rng = SchemaJson.split(range);
            Long minLength = parseLong("--length", len[0]);
            Long maxLength = parseLong("--length", len[1]);
            BigDecimal min = parseDecimal("--range", rng[0]);
            BigDecimal max = parseDecimal("--range", rng[1]);
            if (minLength != null && maxLength != null && minLength > maxLength
                    || min != null && max != null && min.compareTo(max) > 0) {
                throw new IllegalArgumentException("the lower bound is greater than the upper bound");
            }
            return registry.change(name, s -> {
                TreeMap<String, FieldRule> fields = new TreeMap<>(s.fields());
                if (clear) {
                    fields.remove(field);
                } else {
                    FieldRule old = fields.getOrDefault(field, FieldRule.NONE);
                    fields.put(
                            field,
                            new FieldRule(
                                    type != null ? type : old.type(),
                                    required || (!optional && old.required()),
                                    regex != null ? regex : old.regex(),
                                    length != null ? minLength : old.minLength(),
                                    length != null ? maxLength : old.maxLength(),
                                    range != null ? min : old.min(),
                                    range != null ? max : old.max(),
                                    values != null ? values : old.values(),
                                    lock != null ? lock : old.locked()));
                }
                return s.withFields(fields);
            });
        }

        private static Long parseLong(String option, String text) {
            try {
                return text == null ? null : Long.valueOf(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + text + "' is not a whole number");
            }
        }

        private static BigDecimal parseDecimal(String option, String text) {
            try {
                return text == null ? null : new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + text + "' is not a number");
            }
        }
    }
}
