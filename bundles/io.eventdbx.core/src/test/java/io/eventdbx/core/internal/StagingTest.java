package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.StagedEvent;
import io.eventdbx.store.rocksdb.internal.RocksDbStorageEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staging on real RocksDB: durable queue, atomic all-or-nothing commit. */
class StagingTest {

    private static final IssuedBy WRITER = new IssuedBy("g", "u");

    @TempDir
    Path dir;

    private static AppendRequest event(String id, String payload, Long expected) {
        return new AppendRequest("order", id, "placed", payload, null, expected, null, WRITER);
    }

    @Test
    void stagedEventsSurviveARestartAndCommitInOneBatch() throws Exception {
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
                EventStoreEngine store =
                        new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            store.append(event("o-1", "{\"n\":0}", null));
            StagedEvent first = store.stage(event("o-1", "{ \"n\" : 1.50 }", 1L));
            store.stage(event("o-2", "{\"n\":2}", 0L));
            store.stage(event("o-1", "{\"n\":3}", 2L));
            assertEquals("{\"n\":1.5}", first.request().payloadJson(), "staged payloads are validated and canonical");
            assertEquals(1, store.get("order", "o-1").orElseThrow().version(), "staging appends nothing");
        }
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
                EventStoreEngine store =
                        new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            List<StagedEvent> staged = store.staged();
            assertEquals(3, staged.size(), "the queue is in the store, not in memory");
            assertTrue(staged.get(0).sequence() < staged.get(1).sequence());
            long batchesBefore = store.commitStats()[0];
            List<EventRecord> committed = store.commitStaged();
            assertEquals(1, store.commitStats()[0] - batchesBefore, "one atomic write");
            assertEquals(
                    List.of(2L, 1L, 3L),
                    committed.stream().map(EventRecord::version).toList());
            assertEquals(
                    List.of(2L, 3L, 4L),
                    committed.stream().map(EventRecord::position).toList());
            assertTrue(store.staged().isEmpty(), "the queue is emptied by the same write");
            assertTrue(store.verify("order", "o-1").ok());
            assertTrue(store.commitStaged().isEmpty());
            assertEquals(
                    4, store.stage(event("o-3", "{}", null)).sequence(), "sequence numbers continue after a restart");
        }
    }

    @Test
    void oneFailingStagedEventCommitsNothing() throws Exception {
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
                EventStoreEngine store =
                        new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            store.stage(event("a", "{\"n\":1}", 0L));
            store.stage(event("b", "{\"n\":2}", 0L));
            store.stage(event("a", "{\"n\":3}", 5L)); // a will be at version 1, not 5
            EventStoreException e = assertThrows(EventStoreException.class, store::commitStaged);
            assertEquals(EventStoreException.Code.CONFLICT, e.code());
            assertTrue(
                    e.getMessage().contains("nothing was committed")
                            && e.getMessage().contains("order/a"),
                    e.getMessage());
            assertTrue(
                    store.get("order", "a").isEmpty() && store.get("order", "b").isEmpty(), "all or nothing");
            assertTrue(store.log(1, 10).isEmpty());
            assertEquals(3, store.staged().size(), "the queue is kept so it can be inspected");
            assertEquals(
                    EventStoreException.Code.INVALID_ARGUMENT,
                    assertThrows(EventStoreException.class, () -> store.stage(event("../x", "{}", null)))
                            .code());
            store.append(event("c", "{}", null));
            store.archive("order", "c", null);
            assertEquals(
                    EventStoreException.Code.ARCHIVED,
                    assertThrows(EventStoreException.class, () -> store.stage(event("c", "{}", null)))
                            .code());
        }
    }

    @Test
    void concurrentCommitsAppendEachStagedEventOnce() throws Exception {
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
                EventStoreEngine store =
                        new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 10; i++) {
                    store.stage(event("o-" + i, "{\"round\":" + round + "}", null));
                }
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
                List<java.util.concurrent.Future<List<EventRecord>>> commits = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    commits.add(pool.submit(store::commitStaged));
                }
                int committed = 0;
                for (var f : commits) {
                    committed += f.get().size();
                }
                pool.shutdown();
                assertEquals(10, committed, "round " + round + ": each staged event is committed by one commit only");
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(20, store.get("order", "o-" + i).orElseThrow().version());
            }
            assertTrue(store.staged().isEmpty());
        }
    }
}
