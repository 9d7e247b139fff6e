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
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.PluginAdmin;
import io.eventdbx.emitter.api.PluginException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code dbx plugin config|enable|disable|remove|list|test|replay|types}: an adapter over {@link PluginAdmin}. Every
 * sub-command needs {@code plugin.manage}.
 */
@CommandCapability("plugin")
@Component(
        property = {
            DbxCommand.NAME_PROPERTY + "=plugin",
            DbxCommand.DESCRIPTION_PROPERTY + "=Configure, enable, disable, test and replay plugins",
            DbxCommand.AUTHORIZES_PROPERTY + "=true"
        })
public final class PluginCommand implements DbxCommand {

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
    public PluginCommand(@Reference PluginAdmin admin, @Reference EventAccess door) {
        this.admin = admin;
        this.door = door;
    }

    @Override
    public int execute(CommandContext context, List<String> args) {
        CommandLine commandLine = new CommandLine(new Root());
        commandLine.addSubcommand(new Install(context));
        commandLine.addSubcommand(new Configure(context));
        commandLine.addSubcommand("enable", new Toggle(context, true));
        commandLine.addSubcommand("disable", new Toggle(context, false));
        commandLine.addSubcommand(new Remove(context));
        commandLine.addSubcommand(new ListPlugins(context));
        commandLine.addSubcommand(new Test(context));
        commandLine.addSubcommand(new Replay(context));
        commandLine.addSubcommand(new Types(context));
        commandLine.addSubcommand(new PostgresSink(context));
        commandLine.addSubcommand(new SqliteSink(context));
        commandLine.addSubcommand(new CsvSink(context));
        commandLine.addSubcommand(new MapField(context));
        return runner.run("dbx plugin", commandLine, context, args);
    }

    /** Runs a dispatcher call, turning its refusal into the command's exit code (one table for every command). */
    static <T> T call(EventAccess door, CommandContext context, Supplier<T> action) {
        door.authorize(context.caller(), Administration.PLUGINS);
        try {
            return action.get();
        } catch (PluginException e) {
            int exit =
                    switch (e.reason()) {
                        case INVALID_ARGUMENT -> ExitCodes.USAGE;
                        case NOT_FOUND, CONFLICT, UNAVAILABLE -> ExitCodes.FAILURE;
                    };
            throw new CommandException(e.getMessage(), exit, null);
        }
    }

    static Map<String, Object> view(PluginAdmin.PluginInfo p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.name());
        out.put("type", p.type());
        out.put("enabled", p.enabled());
        out.put("status", p.status());
        out.put("position", p.position());
        out.put("lag", p.lag());
        out.put("pending", p.pending());
        out.put("dead", p.dead());
        out.put("last_error", p.lastError());
        out.put("options", p.options());
        return out;
    }

    @Command(
            name = "plugin",
            mixinStandardHelpOptions = true,
            description = "Manage plugins: each instance receives every committed event through its emitter type.")
    static final class Root {}

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description = "Install a process plugin's bundle (zip, tar, tar.gz or a binary) from a path or an http(s)"
                    + " URL into <data-dir>/plugins/<plugin>/<version>/<target>/.")
    final class Install implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        @Parameters(index = "0", paramLabel = "<plugin>", description = "The plugin's id.")
        String plugin;

        @Parameters(index = "1", paramLabel = "<version>", description = "Its version.")
        String version;

        @Option(names = "--source", required = true, paramLabel = "<path|url>", description = "Where the bundle is.")
        String source;

        @Option(names = "--bin", paramLabel = "<file>", description = "The binary's path inside the bundle.")
        String bin;

        @Option(names = "--checksum", paramLabel = "<sha256>", description = "The bundle's SHA-256 in hex.")
        String checksum;

        @Option(names = "--force", description = "Replace an installed version.")
        boolean force;

        Install(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            PluginAdmin.InstalledPlugin installed = PluginCommand.call(
                    door, context, () -> admin.install(plugin, version, source, bin, checksum, force));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("plugin", installed.plugin());
            out.put("version", installed.version());
            out.put("target", installed.target());
            out.put("folder", installed.folder());
            out.put("binary", installed.binary());
            out.put("sha256", installed.sha256());
            return out;
        }
    }

    @Command(
            name = "config",
            description =
                    "Create or update an instance: dbx plugin config <type> --name <label> [--<option> <value>]..."
                            + " [--disable]. Types and their options: dbx plugin types.")
    final class Configure implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        @Parameters(index = "0", paramLabel = "<type>", description = "The emitter type: tcp, http, log, ...")
        String type;

        @Option(names = "--name", required = true, paramLabel = "<label>", description = "The instance's name.")
        String name;

        @Option(names = "--disable", description = "Create it disabled, or turn it off.")
        boolean disable;

        // only --help: the standard --version would swallow a process plugin's --version <semver>
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        boolean help;

        @Unmatched
        List<String> rest = new ArrayList<>();

        Configure(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            return view(PluginCommand.call(door, context, () -> {
                Map<String, List<String>> options = parseOptions(type, rest);
                return admin.configure(type, name, options, disable);
            }));
        }

        private Map<String, List<String>> parseOptions(String type, List<String> args) {
            Map<String, EmitterFactory.Option> declared = new LinkedHashMap<>();
            admin.types().stream()
                    .filter(t -> t.type().equals(type))
                    .findFirst()
                    .ifPresent(t -> t.options().forEach(o -> declared.put(o.name(), o)));
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (!arg.startsWith("--") || arg.length() == 2) {
                    throw new PluginException(
                            PluginException.Reason.INVALID_ARGUMENT,
                            "unexpected argument '" + Dispatcher.printable(arg)
                                    + "'; options look like --host <value>");
                }
                String option = arg.substring(2);
                String value = null;
                int eq = option.indexOf('=');
                if (eq > 0) {
                    value = option.substring(eq + 1);
                    option = option.substring(0, eq);
                }
                EmitterFactory.Option decl = declared.get(option);
                if (decl != null && decl.flag()) {
                    value = value == null ? "true" : value;
                } else if (value == null) {
                    if (i + 1 >= args.size() || (args.get(i + 1).startsWith("--") && decl != null)) {
                        throw new PluginException(
                                PluginException.Reason.INVALID_ARGUMENT, "--" + option + " needs a value");
                    }
                    value = args.get(++i);
                }
                out.computeIfAbsent(option, k -> new ArrayList<>()).add(value);
            }
            return out;
        }
    }

    /**
     * The seed's sink commands ({@code dbx plugin postgres --connection …}, {@code dbx plugin sqlite --path …}): an
     * instance named after its type unless {@code --name} says otherwise, configured like {@code plugin config}; the
     * field mappings already made for it stay.
     */
    abstract class Sink implements Callable<Object> {
        private final CommandContext context;
        private final String type;

        @Mixin
        JsonOption json;

        @Option(names = "--name", paramLabel = "<label>", description = "The instance's name (default: the type).")
        String name;

        @Option(names = "--disable", description = "Create it disabled, or turn it off.")
        boolean disable;

        Sink(CommandContext context, String type) {
            this.context = context;
            this.type = type;
        }

        /** The instance's options from this command's flags. */
        abstract Map<String, List<String>> options();

        @Override
        public Object call() {
            return view(PluginCommand.call(door, context, () -> {
                Map<String, List<String>> options = new LinkedHashMap<>(options());
                String label = name == null ? type : name;
                admin.list().stream()
                        .filter(p -> p.name().equals(label)
                                && p.type().equals(type)
                                && p.options().containsKey("map"))
                        .findFirst()
                        .ifPresent(p -> options.put("map", p.options().get("map")));
                return admin.configure(type, label, options, disable);
            }));
        }
    }

    /** The SQL sinks' common flags. */
    abstract class SqlSink extends Sink {
        @Option(names = "--table-prefix", paramLabel = "<prefix>", description = "Put before every table name.")
        String tablePrefix;

        @Option(names = "--events-table", description = "Also keep every event in <table>__events.")
        boolean eventsTable;

        SqlSink(CommandContext context, String type) {
            super(context, type);
        }

        /** The option that says where the read model is, and its value. */
        abstract Map.Entry<String, String> where();

        @Override
        Map<String, List<String>> options() {
            Map<String, List<String>> options = new LinkedHashMap<>();
            options.put(where().getKey(), List.of(where().getValue()));
            if (tablePrefix != null) {
                options.put("table-prefix", List.of(tablePrefix));
            }
            if (eventsTable) {
                options.put("events-table", List.of("true"));
            }
            return options;
        }
    }

    @Command(
            name = "csv",
            mixinStandardHelpOptions = true,
            description = "Keep per aggregate type an append-only CSV of changes and a CSV of current state.")
    final class CsvSink extends Sink {
        @Option(names = "--output-dir", required = true, paramLabel = "<dir>", description = "The folder.")
        String outputDir;

        CsvSink(CommandContext context) {
            super(context, "csv");
        }

        @Override
        Map<String, List<String>> options() {
            return Map.of("output-dir", List.of(outputDir));
        }
    }

    @Command(
            name = "postgres",
            mixinStandardHelpOptions = true,
            description = "Keep a read model (current state per aggregate type) in PostgreSQL.")
    final class PostgresSink extends SqlSink {
        @Option(
                names = "--connection",
                required = true,
                paramLabel = "<connection-string>",
                description = "postgresql://user:password@host:port/database (kept secret).")
        String connection;

        PostgresSink(CommandContext context) {
            super(context, "postgres");
        }

        @Override
        Map.Entry<String, String> where() {
            return Map.entry("connection", connection);
        }
    }

    @Command(
            name = "sqlite",
            mixinStandardHelpOptions = true,
            description = "Keep a read model (current state per aggregate type) in an SQLite file.")
    final class SqliteSink extends SqlSink {
        @Option(names = "--path", required = true, paramLabel = "<file>", description = "The database file.")
        String path;

        SqliteSink(CommandContext context) {
            super(context, "sqlite");
        }

        @Override
        Map.Entry<String, String> where() {
            return Map.entry("path", path);
        }
    }

    @Command(
            name = "map",
            mixinStandardHelpOptions = true,
            description = "Map a field of an aggregate type to a column and SQL type in a sink's read model (postgres,"
                    + " sqlite); a dotted field (address.city) maps a member of an object field.")
    final class MapField implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        @Option(names = "--plugin", required = true, paramLabel = "<name>", description = "The sink instance.")
        String plugin;

        @Option(names = "--aggregate", required = true, paramLabel = "<name>", description = "The aggregate type.")
        String aggregate;

        @Option(names = "--field", required = true, paramLabel = "<field>", description = "The field or path.")
        String field;

        @Option(names = "--datatype", required = true, paramLabel = "<sql-type>", description = "integer, jsonb, ...")
        String datatype;

        @Option(names = "--column", paramLabel = "<column>", description = "The column (default: from the field).")
        String column;

        MapField(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            return view(PluginCommand.call(door, context, () -> {
                PluginAdmin.PluginInfo instance = admin.list().stream()
                        .filter(p -> p.name().equals(plugin))
                        .findFirst()
                        .orElseThrow(() ->
                                new PluginException(PluginException.Reason.NOT_FOUND, "there is no plugin " + plugin));
                boolean mappable = admin.types().stream()
                        .filter(t -> t.type().equals(instance.type()))
                        .flatMap(t -> t.options().stream())
                        .anyMatch(o -> o.name().equals("map"));
                if (!mappable) {
                    throw new PluginException(
                            PluginException.Reason.INVALID_ARGUMENT,
                            "plugin " + plugin + " is of type " + instance.type()
                                    + ", which takes no field mappings (postgres and sqlite sinks do)");
                }
                for (String part : new String[] {aggregate, field, datatype, column == null ? "" : column}) {
                    if (part.contains("|")) {
                        throw new PluginException(
                                PluginException.Reason.INVALID_ARGUMENT, "a mapping cannot contain '|'");
                    }
                }
                String key = aggregate + "|" + field + "|";
                List<String> values = new ArrayList<>();
                for (String existing : instance.options().getOrDefault("map", List.of())) {
                    if (!existing.startsWith(key)) {
                        values.add(existing); // a new mapping of the same field replaces the old one
                    }
                }
                values.add(key + datatype + (column == null ? "" : "|" + column));
                return admin.setOption(plugin, "map", values);
            }));
        }
    }

    @Command(
            mixinStandardHelpOptions = true,
            description = "Turn an instance on (after checking that its receiver can be reached) or off (its queue"
                    + " and cursor stay).")
    final class Toggle implements Callable<Object> {
        private final CommandContext context;
        private final boolean on;

        @Mixin
        JsonOption json;

        @Parameters(index = "0", paramLabel = "<label>", description = "The instance.")
        String name;

        Toggle(CommandContext context, boolean on) {
            this.context = context;
            this.on = on;
        }

        @Override
        public Object call() {
            return view(PluginCommand.call(door, context, () -> on ? admin.enable(name) : admin.disable(name)));
        }
    }

    @Command(
            name = "remove",
            mixinStandardHelpOptions = true,
            description = "Remove a disabled instance and its queue.")
    final class Remove implements Callable<Object> {
        private final CommandContext context;

        @Parameters(index = "0", paramLabel = "<label>", description = "The instance.")
        String name;

        Remove(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            PluginCommand.call(door, context, () -> {
                admin.remove(name);
                return null;
            });
            return "plugin " + name + " removed";
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Every instance: status, cursor position, lag, pending and dead events.")
    final class ListPlugins implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        ListPlugins(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            return PluginCommand.call(door, context, admin::list).stream()
                    .map(PluginCommand::view)
                    .toList();
        }
    }

    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description = "Send a test event (aggregate type dbx-test) through every enabled instance.")
    final class Test implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        Test(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            Map<String, String> results = PluginCommand.call(door, context, admin::test);
            if (results.values().stream().anyMatch(r -> !r.equals("ok"))) {
                results.forEach((name, result) -> context.out().println(name + ": " + result));
                throw new CommandException("a plugin failed its test", ExitCodes.FAILURE, null);
            }
            return results.isEmpty() ? "no plugin is enabled" : results;
        }
    }

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description = "Send the stored events of an aggregate, or of every aggregate of a type, through a plugin"
                    + " again.")
    final class Replay implements Callable<Object> {
        private final CommandContext context;

        @Parameters(index = "0", paramLabel = "<plugin-name>", description = "The instance.")
        String name;

        @Parameters(index = "1", paramLabel = "<aggregate>", description = "The aggregate type.")
        String type;

        @Parameters(index = "2", arity = "0..1", paramLabel = "<aggregate_id>", description = "One aggregate.")
        String id;

        Replay(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            long queued = PluginCommand.call(door, context, () -> admin.replay(name, type, id));
            return queued + " event(s) queued for plugin " + name;
        }
    }

    @Command(name = "types", mixinStandardHelpOptions = true, description = "The installed emitter types and options.")
    final class Types implements Callable<Object> {
        private final CommandContext context;

        @Mixin
        JsonOption json;

        Types(CommandContext context) {
            this.context = context;
        }

        @Override
        public Object call() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (PluginAdmin.TypeInfo t : PluginCommand.call(door, context, admin::types)) {
                Map<String, Object> type = new LinkedHashMap<>();
                type.put("type", t.type());
                type.put("description", t.description());
                List<String> options = new ArrayList<>();
                for (EmitterFactory.Option o : t.options()) {
                    options.add("--" + o.name() + (o.flag() ? "" : " <value>") + (o.required() ? " (required)" : "")
                            + (o.repeatable() ? " (repeatable)" : "") + ": " + o.description());
                }
                type.put("options", options);
                out.add(type);
            }
            return out;
        }
    }
}
