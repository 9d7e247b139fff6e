package io.eventdbx.config.internal;

import io.eventdbx.command.api.CommandContext;
import io.eventdbx.command.api.UsageException;
import io.eventdbx.command.support.JsonOption;
import io.eventdbx.config.ApiSelection;
import io.eventdbx.config.ConfigException;
import io.eventdbx.config.EffectiveConfig;
import io.eventdbx.config.Setting;
import io.eventdbx.crypto.api.KeyManagement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of {@code dbx config}; one instance per invocation. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "Without options: print the effective configuration (secrets masked) and where each value comes from.",
            "With options: validate them and persist them to config.toml. Nothing is written if any value is invalid."
        })
final class ConfigCommandLine implements Callable<Object> {

    private final ConfigTranslator translator;
    private final KeyManagement keys;
    private final CommandContext context;

    @Mixin
    JsonOption json;

    @Option(names = "--port", paramLabel = "<u16>", description = "HTTP port for REST and GraphQL (1-65535).")
    String port;

    @Option(
            names = "--data-dir",
            paramLabel = "<path>",
            description = "Data directory, for a config file kept elsewhere (--config).")
    String dataDir;

    @Option(names = "--restrict", paramLabel = "<mode>", description = "Schema restriction: off, default or strict.")
    String restrict;

    @Option(names = "--list-page-size", paramLabel = "<n>", description = "Default page size of aggregate listings.")
    String listPageSize;

    @Option(names = "--page-limit", paramLabel = "<n>", description = "Largest page size any request may ask for.")
    String pageLimit;

    @Option(
            names = "--plugin-max-attempts",
            paramLabel = "<n>",
            description = "Plugin delivery attempts before a job is dead.")
    String pluginMaxAttempts;

    @Option(names = "--snapshot-threshold", paramLabel = "<n>", description = "Take a snapshot every N events.")
    String snapshotThreshold;

    @Option(
            names = "--memory-threshold",
            paramLabel = "<n>",
            description = "Most aggregates kept in the in-memory cache.")
    String memoryThreshold;

    @Option(
            names = "--max-payload-bytes",
            paramLabel = "<n>",
            description = "Largest event payload accepted, in bytes.")
    String maxPayloadBytes;

    @Option(
            names = "--api",
            paramLabel = "<surface>",
            split = ",",
            description = "API surfaces to serve: rest, graphql, grpc or all (repeat or separate with commas).")
    List<String> apis;

    @Option(
            names = "--socket-addr",
            paramLabel = "<host:port>",
            description = "Control socket listener ([socket].bind_addr).")
    String socketAddr;

    @Option(names = "--grpc-addr", paramLabel = "<host:port>", description = "gRPC listener ([grpc].bind_addr).")
    String grpcAddr;

    @Option(
            names = "--unset",
            paramLabel = "<key>",
            description = "Remove a key from config.toml so its default applies again.")
    List<String> unset;

    @Option(
            names = "--master-key",
            paramLabel = "<secret>",
            description = "Set or rotate the master key (16+ characters); the first time together with --dek.")
    String masterKey;

    @Option(
            names = "--dek",
            paramLabel = "<secret>",
            description = "Set or rotate the data-encryption key (16+ characters); the first time with --master-key.")
    String dek;

    ConfigCommandLine(ConfigTranslator translator, KeyManagement keys, CommandContext context) {
        this.translator = translator;
        this.keys = keys;
        this.context = context;
    }

    @Override
    public Object call() {
        Map<Setting, Object> changes;
        try {
            changes = changes();
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
        boolean keyChange = masterKey != null || dek != null;
        if (changes.isEmpty() && !keyChange) {
            EffectiveConfig config = load();
            for (String key : config.unknownKeys()) {
                context.err()
                        .println("warning: unknown key '" + key + "' in "
                                + translator.dataDirectory().configFile());
            }
            List<Map<String, Object>> rows = config.describe();
            for (Map<String, Object> row : rows) {
                if (Setting.DATA_DIR.key().equals(row.get("key")) && row.get("value") == null) {
                    // not set anywhere: the directory it resolved to (--data-dir, EVENTDBX_DATA_DIR, $HOME/.eventdbx)
                    row.put(
                            "value",
                            translator.dataDirectory().root().toAbsolutePath().toString());
                    row.put("source", "resolved");
                }
            }
            return rows;
        }
        // Validate everything before touching the file: one bad value means nothing is written.
        Map<Setting, Object> typed = new LinkedHashMap<>();
        try {
            changes.forEach((setting, value) -> typed.put(setting, value == null ? null : setting.parse(value)));
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
        Map<String, Object> keyResult = null;
        if (keyChange) {
            if (keys == null) {
                throw new io.eventdbx.command.api.CommandException(
                        "the encryption keys cannot be set: the crypto bundle is not running");
            }
            try {
                keyResult = keys.configure(masterKey, dek);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        try {
            if (!typed.isEmpty()) {
                translator.dataDirectory().config().update(typed);
            }
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        }
        EffectiveConfig config = load();
        translator.publish(config);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", translator.dataDirectory().configFile().toString());
        Map<String, Object> updated = new LinkedHashMap<>();
        typed.forEach((setting, value) -> updated.put(
                setting.key(),
                value == null
                        ? "(unset)"
                        : config.describe().stream()
                                .filter(row -> row.get("key").equals(setting.key()))
                                .findFirst()
                                .map(row -> row.get("value"))
                                .orElse(value)));
        result.put("updated", updated);
        if (keyResult != null) {
            // ids and paths only: never the secrets
            result.put("keys", keyResult);
        }
        if (translator.serverMode()
                && (typed.containsKey(Setting.PORT)
                        || typed.containsKey(Setting.SOCKET_BIND_ADDR)
                        || typed.containsKey(Setting.GRPC_BIND_ADDR)
                        || typed.containsKey(Setting.DATA_DIR))) {
            result.put("note", "listener and data directory changes take effect when the server restarts");
        }
        return result;
    }

    private EffectiveConfig load() {
        try {
            return translator.load();
        } catch (ConfigException e) {
            throw new io.eventdbx.command.api.CommandException(e.getMessage());
        }
    }

    private Map<Setting, Object> changes() {
        Map<Setting, Object> changes = new LinkedHashMap<>();
        put(changes, Setting.PORT, port);
        put(changes, Setting.DATA_DIR, dataDir);
        put(changes, Setting.RESTRICT, restrict);
        put(changes, Setting.LIST_PAGE_SIZE, listPageSize);
        put(changes, Setting.PAGE_LIMIT, pageLimit);
        put(changes, Setting.PLUGIN_MAX_ATTEMPTS, pluginMaxAttempts);
        put(changes, Setting.SNAPSHOT_THRESHOLD, snapshotThreshold);
        put(changes, Setting.MEMORY_THRESHOLD, memoryThreshold);
        put(changes, Setting.MAX_PAYLOAD_BYTES, maxPayloadBytes);
        put(changes, Setting.SOCKET_BIND_ADDR, socketAddr);
        put(changes, Setting.GRPC_BIND_ADDR, grpcAddr);
        if (apis != null) {
            ApiSelection.parse(apis).forEach(changes::put);
        }
        if (unset != null) {
            for (String key : unset) {
                Setting setting = Setting.byKey(key.trim().toLowerCase(Locale.ROOT));
                if (setting == null) {
                    throw new UsageException("--unset: unknown key '" + key + "'");
                }
                changes.put(setting, null);
            }
        }
        return changes;
    }

    private static void put(Map<Setting, Object> changes, Setting setting, String value) {
        if (value != null) {
            changes.put(setting, value);
        }
    }
}
