package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.store.rocksdb.internal.RocksDbStorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic batches (appendAllAsync) on real RocksDB: one write, all or none, in order. */
class BatchAppendTest {

    private static final IssuedBy WRITER = new IssuedBy("g", "u");

    @TempDir
    Path dir;

    private static AppendRequest event(String id, String payload, Long expected, String eventId) {
        return new AppendRequest("order", id, "placed", payload, null, expected, eventId, WRITER);
    }

    private static EventStoreException refusal(Runnable call) {
        CompletionException e = assertThrows(CompletionException.class, call::run);
        return assertInstanceOf(EventStoreException.class, e.getCause());
    }

    @Test
    void aBatchIsOneAtomicWriteInOrderAcrossAggregatesAndSurvivesARestart() throws Exception {
        List<EventRecord> written;
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
                EventStoreEngine store =
                        new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            store.append(event("o-1", "{\"n\":0}", null, null));
            long batchesBefore = store.commitStats()[0];
            written = store.appendAllAsync(
                            List.of(
                                    event("o-1", "{\"n\":1}", 1L, null),
                                    event("o-2", "{\"n\":2}", 0L, null),
                                    event("o-1", "{\"n\":3}", 2L, "client-3")),
                            null)
                    .join();
            assertEquals(1, store.commitStats()[0] - batchesBefore, "one atomic write");
            assertEquals(
                    List.of(2L, 1L, 3L),
                    written.stream().map(EventRecord::version).toList());
            assertEquals(
                    List.of(2L, 3L, 4L),
                    written.stream().map(EventRecord::position).toList());
        }
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
                EventStoreEngine store =
                        new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            assertEquals(3, store.get("order", "o-1").orElseThrow().version());
            assertEquals(
                    "{\"n\":\"3\"}", store.get("order", "o-1").orElseThrow().stateJson(), "the last event wins");
            assertTrue(store.verify("order", "o-1").ok());
            assertEquals(written, store.log(2, 3), "the log holds the batch as it was answered");
            // a retry of an event id already written is answered with its record and writes nothing
            List<EventRecord> retried = store.appendAllAsync(List.of(event("o-1", "{\"n\":3}", 2L, "client-3")), null)
                    .join();
            assertEquals(written.get(2), retried.get(0));
            assertEquals(4, store.durablePosition());
        }
    }

    @Test
    void oneRefusedEventWritesNothingAndNamesItsIndex() throws Exception {
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(dir);
                EventStoreEngine store =
                        new EventStoreEngine(storage, 100, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            EventStoreException conflict = refusal(() -> store.appendAllAsync(
                            List.of(
                                    event("a", "{\"n\":1}", 0L, null),
                                    event("b", "{\"n\":2}", null, null),
                                    event("a", "{\"n\":3}", 5L, null)),
                            null)
                    .toCompletableFuture()
                    .join());
            assertEquals(EventStoreException.Code.CONFLICT, conflict.code());
            assertEquals("2", conflict.details().get("index"));
            assertTrue(conflict.getMessage().contains("nothing of the batch was written"), conflict.getMessage());
            assertTrue(
                    store.get("order", "a").isEmpty() && store.get("order", "b").isEmpty(), "all or none");
            assertEquals(0, store.durablePosition());

            EventStoreException malformed = refusal(() -> store.appendAllAsync(
                            List.of(event("a", "{\"n\":1}", null, null), event("b", "not json", null, null)), null)
                    .join());
            assertEquals(EventStoreException.Code.INVALID_ARGUMENT, malformed.code());
            assertEquals("1", malformed.details().get("index"));

            assertEquals(
                    EventStoreException.Code.INVALID_ARGUMENT,
                    refusal(() -> store.appendAllAsync(List.of(), null).join()).code());
            List<AppendRequest> tooMany =
                    new ArrayList<>(Collections.nCopies(EventStoreEngine.MAX_BATCH + 1, event("c", "{}", null, null)));
            assertEquals(
                    EventStoreException.Code.INVALID_ARGUMENT,
                    refusal(() -> store.appendAllAsync(tooMany, null).join()).code());
            assertEquals(0, store.durablePosition(), "nothing was written by any of them");

            // the store is not left in a state that refuses the same events once they are right
            assertEquals(
                    2,
                    store.appendAllAsync(
                                    List.of(event("a", "{\"n\":1}", 0L, null), event("a", "{\"n\":3}", 1L, null)), null)
                            .join()
                            .size());
        }
    }
}
