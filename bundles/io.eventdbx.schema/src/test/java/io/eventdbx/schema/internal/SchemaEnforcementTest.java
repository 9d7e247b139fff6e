package io.eventdbx.schema.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.core.internal.EventStoreEngine;
import io.eventdbx.integrity.EventHash;
import io.eventdbx.integrity.Hex;
import io.eventdbx.schema.api.SchemaViolation;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.math.BigDecimal;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event store with the real schema registry: modes, versions in events, locks, staging, live changes. */
class SchemaEnforcementTest {

    private static final IssuedBy WRITER = new IssuedBy("clinic", "alice");
    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private SchemaRegistry registry;
    private EventStoreEngine store;

    private void open(SchemaRegistry.Mode mode) throws Exception {
        registry = new SchemaRegistry(storage, mode, null);
        store = new EventStoreEngine(storage, new NoEncryption(), registry, 1000, 262_144, 0);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private EventRecord append(String id, String event, String json) {
        return store.append(new AppendRequest("patient", id, event, json, null, null, null, WRITER));
    }

    private EventStoreException refused(String id, String event, String json) {
        EventStoreException e = assertThrows(EventStoreException.class, () -> append(id, event, json));
        assertEquals(EventStoreException.Code.SCHEMA_VIOLATION, e.code());
        // what failed, for machines: the aggregate type, the event, and the rule (with the field where one applies)
        assertEquals("patient", e.details().get("aggregate_type"), e.getMessage());
        assertEquals(event, e.details().get("event_type"), e.getMessage());
        assertTrue(e.details().containsKey("rule"), e.getMessage());
        return e;
    }

    private void field(String field, FieldRule rule) {
        registry.change("patient", s -> {
            TreeMap<String, FieldRule> fields = new TreeMap<>(s.fields());
            fields.put(field, rule);
            return s.withFields(fields);
        });
    }

    @Test
    void offAcceptsAnythingDefaultValidatesWhereASchemaExistsStrictRequiresOne() throws Exception {
        open(SchemaRegistry.Mode.OFF);
        registry.create("patient", List.of("admitted"), null);
        assertNull(append("p-1", "anything", "{\"x\":1}").schemaVersion());

        registry.configure(SchemaRegistry.Mode.DEFAULT, null);
        assertTrue(refused("p-1", "anything", "{}").getMessage().contains("not declared"));
        assertEquals(1L, append("p-1", "admitted", "{}").schemaVersion());
        assertNull(store.append(new AppendRequest("order", "o-1", "x", "{}", null, null, null, WRITER))
                .schemaVersion());

        registry.configure(SchemaRegistry.Mode.STRICT, null);
        EventStoreException strict = assertThrows(
                EventStoreException.class,
                () -> store.append(new AppendRequest("order", "o-1", "x", "{}", null, null, null, WRITER)));
        assertTrue(
                strict.getMessage()
                        .contains(
                                "aggregate order requires a schema before events can be appended when restrict=strict"),
                strict.getMessage());
        assertEquals(1, store.get("order", "o-1").orElseThrow().version(), "nothing written");
    }

    @Test
    void theAcceptingSchemaVersionIsRecordedAndHashed() throws Exception {
        open(SchemaRegistry.Mode.DEFAULT);
        registry.create("patient", List.of("admitted"), null);
        field(
                "age",
                new FieldRule(
                        "integer", false, null, null, null, BigDecimal.ZERO, new BigDecimal("150"), List.of(), false));
        EventRecord e = append("p-1", "admitted", "{\"age\":\"42\"}");
        assertEquals(2L, e.schemaVersion());
        EventHash with = new EventHash(
                "patient",
                "p-1",
                1,
                "admitted",
                e.eventId(),
                e.createdAt(),
                "clinic",
                "alice",
                null,
                2L,
                e.payloadJson());
        EventHash without = new EventHash(
                "patient",
                "p-1",
                1,
                "admitted",
                e.eventId(),
                e.createdAt(),
                "clinic",
                "alice",
                null,
                null,
                e.payloadJson());
        assertEquals(Hex.of(with.hash()), e.hash());
        assertTrue(!Hex.of(without.hash()).equals(e.hash()), "the schema version is covered by the hash");
        assertTrue(store.verify("patient", "p-1").ok());
        assertEquals(2L, store.events("patient", "p-1", 0, 1).get(0).schemaVersion());

        EventStoreException range = refused("p-1", "admitted", "{\"age\":151}");
        assertTrue(
                range.getMessage().contains("aggregate type patient, event admitted, field age"), range.getMessage());
        assertTrue(range.getMessage().contains("outside range 0..150"), range.getMessage());
        assertEquals(1, store.get("patient", "p-1").orElseThrow().version(), "a refused event writes nothing");
    }

    @Test
    void aLockedFieldKeepsItsFirstValueAndALockedTypeTakesNoEvents() throws Exception {
        open(SchemaRegistry.Mode.DEFAULT);
        registry.create("patient", List.of("admitted", "updated"), null);
        field("mrn", FieldRule.NONE.withLocked(true));
        append("p-1", "admitted", "{\"mrn\":\"A1\",\"ward\":\"4b\"}");
        append("p-1", "updated", "{\"mrn\":\"A1\",\"ward\":\"5\"}"); // same value: fine
        EventStoreException locked = refused("p-1", "updated", "{\"mrn\":\"B2\"}");
        assertTrue(locked.getMessage().contains("field mrn: the field is locked"), locked.getMessage());
        append("p-2", "admitted", "{\"mrn\":\"B2\"}"); // another aggregate sets its own

        registry.change("patient", s -> s.with(true, s.snapshotThreshold(), s.events(), s.fields()));
        assertTrue(refused("p-1", "updated", "{}").getMessage().contains("locked and accepts no new events"));
        registry.change("patient", s -> s.with(false, s.snapshotThreshold(), s.events(), s.fields()));
        append("p-1", "updated", "{}");
    }

    @Test
    void stagedEventsAreCheckedWhenStagedAndAgainAtCommit() throws Exception {
        open(SchemaRegistry.Mode.DEFAULT);
        registry.create("patient", List.of("admitted"), null);
        EventStoreException atStage = assertThrows(
                EventStoreException.class,
                () -> store.stage(new AppendRequest("patient", "p-1", "unknown", "{}", null, null, null, WRITER)));
        assertTrue(atStage.getMessage().contains("not declared"), atStage.getMessage());
        store.stage(new AppendRequest("patient", "p-1", "admitted", "{\"ward\":\"x\"}", null, null, null, WRITER));
        store.stage(new AppendRequest("patient", "p-2", "admitted", "{\"ward\":\"4\"}", null, null, null, WRITER));
        // the schema changes between staging and commit: ward must now be an integer
        field("ward", new FieldRule("integer", false, null, null, null, null, null, List.of(), false));
        EventStoreException atCommit = assertThrows(EventStoreException.class, store::commitStaged);
        assertTrue(atCommit.getMessage().contains("field ward: type integer expected"), atCommit.getMessage());
        assertTrue(atCommit.getMessage().contains("nothing was committed"), atCommit.getMessage());
        assertTrue(store.get("patient", "p-2").isEmpty(), "all or nothing");
        assertEquals(2, store.staged().size());
    }

    @Test
    void aSchemasSnapshotThresholdDrivesSnapshotsAndChangesApplyAtOnce() throws Exception {
        open(SchemaRegistry.Mode.DEFAULT);
        registry.create("patient", List.of("admitted"), 3L);
        for (int i = 0; i < 7; i++) {
            append("p-1", "admitted", "{\"n\":" + i + "}");
        }
        // snapshots at versions 3 and 6 ('S' keys), none with the configured threshold (0: never)
        assertEquals(
                2, storage.scan(new byte[] {'S'}, new byte[] {'T'}, 100, false).size());
        assertEquals("{\"n\":\"6\"}", store.getAt("patient", "p-1", 7).stateJson());
        registry.change("patient", s -> {
            TreeMap<String, EventRule> events = new TreeMap<>(s.events());
            events.put("discharged", new EventRule(null, List.of()));
            return s.withEvents(events);
        });
        assertEquals(
                2L, append("p-1", "discharged", "{}").schemaVersion(), "the new version applies to the next event");
    }

    @Test
    void schemasAndTheirVersionsSurviveAReopen() throws Exception {
        open(SchemaRegistry.Mode.DEFAULT);
        registry.create("patient", List.of("admitted"), 5L);
        field("age", new FieldRule("integer", true, null, null, null, null, null, List.of(), false));
        SchemaRegistry reopened = new SchemaRegistry(storage, SchemaRegistry.Mode.DEFAULT, null);
        Schema s = reopened.get("patient").orElseThrow();
        assertEquals(2, s.version());
        assertEquals(5L, s.snapshotThreshold());
        assertEquals("integer", s.fields().get("age").type());
        assertThrows(SchemaViolation.class, () -> reopened.admit("patient", "admitted", new TreeMap<>()));
        assertThrows(IllegalArgumentException.class, () -> reopened.create("patient", List.of("x"), null));
    }
}
