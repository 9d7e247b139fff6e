package io.eventdbx.schema.internal;

import io.eventdbx.schema.api.Admission;
import io.eventdbx.schema.api.SchemaValidator;
import io.eventdbx.store.api.KeyValue;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Schemas, kept in the store ({@code 'C' name 0x00 version} → JSON, every version kept) and in memory, and the
 * validator of the restriction mode. A change is written (synced) and then published, so it takes effect for
 * the next event in this process, whichever way it was made.
 */
final class SchemaRegistry implements SchemaValidator {

    static final byte PREFIX = io.eventdbx.store.api.KeyPrefixes.SCHEMAS;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

    /** The restriction modes. */
    enum Mode {
        OFF,
        DEFAULT,
        STRICT;

        static Mode parse(Object value) {
            String text = value == null ? "default" : value.toString().toLowerCase(java.util.Locale.ROOT);
            return switch (text) {
                case "off", "false" -> OFF;
                case "strict" -> STRICT;
                default -> DEFAULT;
            };
        }
    }

    private final StorageEngine storage;
    private final SchemaJson json = new SchemaJson();
    private final Rules rules = new Rules();
    private final Map<String, Schema> current = new ConcurrentHashMap<>();
    private volatile Mode mode;
    private volatile Long defaultSnapshotThreshold;

    SchemaRegistry(StorageEngine storage, Mode mode, Long defaultSnapshotThreshold) throws IOException {
        this.storage = storage;
        this.mode = mode;
        this.defaultSnapshotThreshold = defaultSnapshotThreshold;
        for (KeyValue kv : storage.scan(new byte[] {PREFIX}, new byte[] {PREFIX + 1}, Integer.MAX_VALUE, false)) {
            Schema schema = json.decode(kv.value());
            current.merge(schema.name(), schema, (a, b) -> a.version() >= b.version() ? a : b);
        }
    }

    void configure(Mode newMode, Long threshold) {
        this.mode = newMode;
        this.defaultSnapshotThreshold = threshold;
    }

    Mode mode() {
        return mode;
    }

    @Override
    public Admission admit(String aggregateType, String eventType, SortedMap<String, String> payload) {
        Mode m = mode;
        if (m == Mode.OFF) {
            return Admission.NONE;
        }
        Schema schema = current.get(aggregateType);
        if (schema == null) {
            if (m == Mode.STRICT) {
                throw Rules.violation(
                        aggregateType,
                        eventType,
                        null,
                        "schema_required",
                        "aggregate " + aggregateType
                                + " requires a schema before events can be appended when restrict=strict");
            }
            return Admission.NONE;
        }
        rules.check(schema, eventType, payload);
        java.util.Set<String> locked = new java.util.HashSet<>();
        schema.fields().forEach((field, rule) -> {
            if (rule.locked()) {
                locked.add(field);
            }
        });
        return new Admission(schema.version(), locked, schema.snapshotThreshold());
    }

    Optional<Schema> get(String name) {
        return Optional.ofNullable(current.get(name));
    }

    List<Schema> list() {
        return new ArrayList<>(new TreeMap<>(current).values());
    }

    /** Creates a schema; refuses an existing name. */
    synchronized Schema create(String name, List<String> events, Long snapshotThreshold) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("schema name must be 1 to 128 of A-Z a-z 0-9 - _ . : @");
        }
        if (current.containsKey(name)) {
            throw new IllegalArgumentException("schema " + name + " already exists; change it with schema add/alter");
        }
        if (events.isEmpty()) {
            throw new IllegalArgumentException("give at least one event with --events");
        }
        TreeMap<String, EventRule> declared = new TreeMap<>();
        for (String event : events) {
            declared.put(checkEvent(event), new EventRule(null, List.of()));
        }
        Long threshold = snapshotThreshold != null ? snapshotThreshold : defaultSnapshotThreshold;
        return save(new Schema(name, 1, false, threshold, declared, new TreeMap<>(), now()));
    }

    /** Changes a schema: a new version, written and then published. */
    synchronized Schema change(String name, Schema.Change change) {
        Schema schema = current.get(name);
        if (schema == null) {
            throw new IllegalArgumentException("schema " + name + " does not exist");
        }
        Schema changed = change.apply(schema);
        return save(changed.next(now()));
    }

    /** Removes a declared event from a schema (not its last one): a new version. */
    Schema removeEvent(String name, String event) {
        return change(name, s -> {
            if (!s.events().containsKey(event)) {
                throw new IllegalArgumentException("schema " + name + " has no event " + event);
            }
            if (s.events().size() == 1) {
                throw new IllegalArgumentException(
                        "cannot remove " + event + ": it is the last event of schema " + name);
            }
            TreeMap<String, EventRule> all = new TreeMap<>(s.events());
            all.remove(event);
            return s.withEvents(all);
        });
    }

    static String checkEvent(String event) {
        String e = event.strip();
        if (!NAME.matcher(e).matches()) {
            throw new IllegalArgumentException("event name '" + event + "' must be 1 to 128 of A-Z a-z 0-9 - _ . : @");
        }
        return e;
    }

    private Schema save(Schema schema) {
        byte[] name = schema.name().getBytes(StandardCharsets.UTF_8);
        byte[] key = ByteBuffer.allocate(1 + name.length + 1 + 8)
                .put(PREFIX)
                .put(name)
                .put((byte) 0)
                .putLong(schema.version())
                .array();
        try {
            storage.write(new WriteBatch().put(key, json.encode(schema)), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store schema " + schema.name() + ": " + e.getMessage(), e);
        }
        current.put(schema.name(), schema);
        return schema;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }

    Map<String, Object> view(Schema schema) {
        return json.view(schema);
    }
}
