package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.SnapshotRecord;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    private static final IssuedBy WRITER = new IssuedBy("g", "u");

    private static void append(EventStoreEngine store, int i) {
        store.append(new AppendRequest(
                "t", "a", "e", "{\"i\":" + i + ",\"k" + (i % 3) + "\":\"v" + i + "\"}", null, null, null, WRITER));
    }

    @Test
    void automaticSnapshotsKeepHistoricalStatesExactAndBoundReplay() throws Exception {
        InMemoryStorageEngine storage = new InMemoryStorageEngine();
        try (EventStoreEngine store =
                new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES, 10)) {
            for (int i = 1; i <= 25; i++) {
                append(store, i);
            }
            List<Long> snapshotVersions =
                    storage
                            .scan(Keys.snapshotsFrom("t", "a"), Keys.snapshot("t", "a", Long.MAX_VALUE), 10, false)
                            .stream()
                            .map(kv -> Keys.version(kv.key()))
                            .toList();
            assertEquals(List.of(10L, 20L), snapshotVersions);
            try (EventStoreEngine plain = new EventStoreEngine(
                    new InMemoryStorageEngine(), 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
                for (int i = 1; i <= 25; i++) {
                    append(plain, i);
                }
                for (long v = 0; v <= 25; v++) {
                    AggregateState withSnapshots = store.getAt("t", "a", v);
                    AggregateState replayed = plain.getAt("t", "a", v);
                    assertEquals(replayed.stateJson(), withSnapshots.stateJson(), "state at version " + v);
                    // roots differ between the two stores (event ids and times are hashed): compare with this store's
                    // own record
                    String expectedRoot = v == 0
                            ? io.eventdbx.integrity.MerkleHashes.EMPTY_ROOT_HEX
                            : store.events("t", "a", v - 1, 1).get(0).merkleRoot();
                    assertEquals(expectedRoot, withSnapshots.merkleRoot(), "root at version " + v);
                }
            }
            // Damage version 3 behind the store's back: reads before the snapshot at 10 see it, reads after do not,
            // which shows they start from the snapshot instead of replaying from version 1.
            byte[] key = Keys.event("t", "a", 3);
            storage.tamper(key, EventStoreEngineTest.replaceBytes(storage.get(key), "\"v3\"", "\"X3\""));
            assertTrue(store.getAt("t", "a", 5).stateJson().contains("\"X3\""));
            assertTrue(store.getAt("t", "a", 15).stateJson().contains("\"i\":\"15\""));
            assertEquals(false, store.getAt("t", "a", 15).stateJson().contains("X3"));
        }
    }

    @Test
    void manualSnapshot() {
        try (EventStoreEngine store =
                new EventStoreEngine(new InMemoryStorageEngine(), 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            store.create("t", "empty");
            assertEquals(
                    EventStoreException.Code.CONFLICT,
                    assertThrows(EventStoreException.class, () -> store.snapshot("t", "empty", null))
                            .code());
            assertEquals(
                    EventStoreException.Code.NOT_FOUND,
                    assertThrows(EventStoreException.class, () -> store.snapshot("t", "nope", null))
                            .code());
            for (int i = 1; i <= 4; i++) {
                append(store, i);
            }
            SnapshotRecord snapshot = store.snapshot("t", "a", "before the audit");
            assertEquals(4, snapshot.version());
            assertEquals("before the audit", snapshot.comment());
            assertEquals(store.get("t", "a").orElseThrow().stateJson(), snapshot.stateJson());
            assertEquals(store.get("t", "a").orElseThrow().merkleRoot(), snapshot.merkleRoot());
            append(store, 5);
            assertEquals(store.getAt("t", "a", 4).stateJson(), snapshot.stateJson());
        }
    }
}
