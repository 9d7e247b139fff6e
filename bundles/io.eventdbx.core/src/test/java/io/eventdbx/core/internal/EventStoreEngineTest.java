package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.ConsistencyProof;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.api.InclusionProof;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.Page;
import io.eventdbx.api.VerifyResult;
import io.eventdbx.integrity.Hex;
import io.eventdbx.integrity.MerkleProofs;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventStoreEngineTest {

    private static final IssuedBy JANE = new IssuedBy("admin", "jane");

    private InMemoryStorageEngine storage;
    private EventStoreEngine store;

    @BeforeEach
    void open() {
        storage = new InMemoryStorageEngine();
        store = new EventStoreEngine(storage, 1000, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private EventRecord append(String type, String id, String payload) {
        return store.append(new AppendRequest(type, id, "updated", payload, null, null, null, JANE));
    }

    private static Code code(Runnable action) {
        return assertThrows(EventStoreException.class, action::run).code();
    }

    @Test
    void asyncAppendsFromManyThreadsAreDurableContiguousAndMatchWhatIsStored() throws Exception {
        int writers = 16;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<CompletableFuture<EventRecord>> answers = new ArrayList<>();
        try {
            List<Future<List<CompletableFuture<EventRecord>>>> started = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String id = "a-" + w;
                started.add(pool.submit(() -> {
                    List<CompletableFuture<EventRecord>> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(store.appendAsync(new AppendRequest(
                                        "order", id, "seen", "{\"n\":" + i + "}", null, null, null, JANE))
                                .toCompletableFuture());
                    }
                    return mine;
                }));
            }
            for (Future<List<CompletableFuture<EventRecord>>> f : started) {
                answers.addAll(f.get());
            }
        } finally {
            pool.shutdown();
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        for (int w = 0; w < writers; w++) {
            AggregateState state = store.get("order", "a-" + w).orElseThrow();
            assertEquals(each, state.version());
            assertTrue(store.verify("order", "a-" + w).ok());
        }
        for (CompletableFuture<EventRecord> answer : answers) {
            EventRecord record = answer.join();
            EventRecord stored = store.events(record.aggregateType(), record.aggregateId(), record.version() - 1, 1)
                    .get(0);
            assertEquals(stored.hash(), record.hash());
        }
    }

    @Test
    void anAsyncAppendThatIsRefusedCompletesWithTheStoreErrorAndWritesNothing() {
        append("order", "o-1", "{\"n\":1}");
        CompletableFuture<EventRecord> conflict = store.appendAsync(
                        new AppendRequest("order", "o-1", "seen", "{\"n\":2}", null, 0L, null, JANE))
                .toCompletableFuture();
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> conflict.get(10, TimeUnit.SECONDS));
        assertEquals(Code.CONFLICT, ((EventStoreException) thrown.getCause()).code());
        CompletableFuture<EventRecord> invalid = store.appendAsync(
                        new AppendRequest("order", "", "seen", "{}", null, null, null, JANE))
                .toCompletableFuture();
        thrown = assertThrows(ExecutionException.class, () -> invalid.get(10, TimeUnit.SECONDS));
        assertEquals(Code.INVALID_ARGUMENT, ((EventStoreException) thrown.getCause()).code());
        assertEquals(1, store.get("order", "o-1").orElseThrow().version());
    }

    @Test
    void versionsStartAtOneAndStateFoldsTopLevelKeys() {
        EventRecord first =
                append("patient", "p-1", "{\"name\":\"Jane\",\"age\":41,\"tags\":[\"a\"],\"meta\":{\"n\":1}}");
        assertEquals(1, first.version());
        assertEquals(JANE, first.issuedBy());
        EventRecord second = append("patient", "p-1", "{\"age\":42.50,\"active\":true,\"name\":null}");
        assertEquals(2, second.version());
        AggregateState state = store.get("patient", "p-1").orElseThrow();
        assertEquals(2, state.version());
        assertEquals(
                "{\"active\":\"true\",\"age\":\"42.5\",\"meta\":{\"n\":1},\"name\":null,\"tags\":[\"a\"]}",
                state.stateJson());
        assertEquals(second.merkleRoot(), state.merkleRoot());
        assertEquals(
                "{\"age\":\"41\",\"meta\":{\"n\":1},\"name\":\"Jane\",\"tags\":[\"a\"]}",
                store.getAt("patient", "p-1", 1).stateJson());
        assertEquals("{}", store.getAt("patient", "p-1", 0).stateJson());
        assertEquals(Code.NOT_FOUND, code(() -> store.getAt("patient", "p-1", 3)));
    }

    @Test
    void hashesAndRootsAreTheDocumentedOnes() {
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            EventRecord e = append("t", "a", "{\"i\":" + i + "}");
            hashes.add(Hex.parse(e.hash()));
            assertEquals(Hex.of(MerkleProofs.root(hashes)), e.merkleRoot());
        }
    }

    @Test
    void expectedVersionConflictNamesTheCurrentVersion() {
        store.append(new AppendRequest("t", "a", "e", "{}", null, 0L, null, JANE));
        EventStoreException e = assertThrows(
                EventStoreException.class,
                () -> store.append(new AppendRequest("t", "a", "e", "{}", null, 0L, null, JANE)));
        assertEquals(Code.CONFLICT, e.code());
        assertTrue(e.getMessage().contains("at version 1"), e.getMessage());
        assertEquals(
                2,
                store.append(new AppendRequest("t", "a", "e", "{}", null, 1L, null, JANE))
                        .version());
    }

    @Test
    void retriedEventIdReturnsTheOriginalAndWritesNothing() {
        EventRecord original = store.append(new AppendRequest("t", "a", "e", "{\"x\":1}", null, null, "evt-1", JANE));
        EventRecord retry = store.append(new AppendRequest("t", "a", "e", "{\"x\":1}", null, null, "evt-1", JANE));
        assertEquals(original, retry);
        assertEquals(1, store.get("t", "a").orElseThrow().version());
        assertEquals(1, store.log(1, 10).size());
        assertEquals(
                2,
                store.append(new AppendRequest("t", "a", "e", "{}", null, null, "evt-2", JANE))
                        .version());
    }

    @Test
    void concurrentRetriesOfOneEventIdWriteOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<EventRecord>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(pool.submit(
                        () -> store.append(new AppendRequest("t", "a", "e", "{}", null, null, "same", JANE))));
            }
            Set<Long> versions = new HashSet<>();
            for (Future<EventRecord> f : futures) {
                versions.add(f.get().version());
            }
            assertEquals(Set.of(1L), versions);
            assertEquals(1, store.get("t", "a").orElseThrow().version());
        } finally {
            pool.shutdown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../etc", "a/b", "a b", "naïve", "x\u0000y", "..", "semi;colon"})
    void badIdentifiersAreRefusedAndNothingIsWritten(String bad) {
        assertEquals(Code.INVALID_ARGUMENT, code(() -> append(bad, "a", "{}")));
        assertEquals(Code.INVALID_ARGUMENT, code(() -> append("t", bad, "{}")));
        assertEquals(
                Code.INVALID_ARGUMENT,
                code(() -> store.append(new AppendRequest("t", "a", bad, "{}", null, null, null, JANE))));
        assertTrue(store.log(1, 10).isEmpty());
    }

    @Test
    void badPayloadsAndNotesAreRefused() {
        assertEquals(Code.INVALID_ARGUMENT, code(() -> append("t", "a", "[1,2]")));
        assertEquals(Code.INVALID_ARGUMENT, code(() -> append("t", "a", "{\"a\":")));
        assertEquals(Code.INVALID_ARGUMENT, code(() -> append("t", "a", "{\"a\":1,\"a\":2}")));
        assertEquals(Code.PAYLOAD_TOO_LARGE, code(() -> append("t", "a", "{\"big\":\"" + "x".repeat(300_000) + "\"}")));
        assertEquals(
                Code.INVALID_ARGUMENT,
                code(() -> store.append(new AppendRequest("t", "a", "e", "{}", "n".repeat(129), null, null, JANE))));
        assertEquals(
                Code.INVALID_ARGUMENT,
                code(() -> store.append(new AppendRequest("t", "a", "e", "{}", null, -1L, null, JANE))));
        assertEquals(
                128,
                store.append(new AppendRequest("t", "a", "e", "{}", "n".repeat(128), null, null, JANE))
                        .note()
                        .length());
        assertEquals(1, store.log(1, 10).size(), "only the valid append was written");
    }

    @Test
    void archiveRestoreAndRemove() {
        store.create("t", "empty");
        assertEquals(Code.CONFLICT, code(() -> store.create("t", "empty")));
        append("t", "a", "{}");
        AggregateState archived = store.archive("t", "a", "closing the case");
        assertTrue(archived.archived());
        assertEquals("closing the case", archived.comment());
        EventStoreException refused = assertThrows(EventStoreException.class, () -> append("t", "a", "{}"));
        assertEquals(Code.ARCHIVED, refused.code());
        assertTrue(refused.getMessage().contains("restore"));
        assertEquals(Code.CONFLICT, code(() -> store.archive("t", "a", null)));
        assertFalse(store.restore("t", "a", "reopened").archived());
        assertEquals(2, append("t", "a", "{}").version());
        assertEquals(Code.NOT_EMPTY, code(() -> store.remove("t", "a")));
        store.remove("t", "empty");
        assertTrue(store.get("t", "empty").isEmpty());
        assertEquals(Code.NOT_FOUND, code(() -> store.remove("t", "empty")));
        assertEquals(Code.NOT_FOUND, code(() -> store.archive("t", "nope", null)));
    }

    @Test
    void listPagesWithACursorCoverEverythingOnce() {
        for (int i = 0; i < 25; i++) {
            append(i % 2 == 0 ? "a" : "b", String.format("id-%02d", i), "{}");
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<AggregateState> page = store.list(cursor, 0, 7);
            page.items().forEach(s -> assertTrue(seen.add(s.aggregateType() + "/" + s.aggregateId())));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertEquals(25, seen.size());
        assertEquals(4, pages);
        assertEquals(5, store.list(null, 20, 10).items().size());
        assertNull(store.list(null, 20, 10).nextCursor());
        assertEquals(Code.INVALID_ARGUMENT, code(() -> store.list("garbage!", 0, 1)));
    }

    @Test
    void listingOneTypeReadsOnlyThatTypeAndPagesWithinIt() {
        for (int i = 0; i < 9; i++) {
            append(i % 3 == 0 ? "a" : i % 3 == 1 ? "ab" : "b", "id-" + i, "{}");
        }
        // "a" is a prefix of "ab": the type's range ends at its name, not at the prefix
        List<String> ids = new java.util.ArrayList<>();
        String cursor = null;
        do {
            Page<AggregateState> page = store.list("a", cursor, 0, 2);
            page.items().forEach(s -> {
                assertEquals("a", s.aggregateType());
                ids.add(s.aggregateId());
            });
            cursor = page.nextCursor();
        } while (cursor != null);
        assertEquals(List.of("id-0", "id-3", "id-6"), ids);
        assertEquals(3, store.list("ab", null, 0, 10).items().size());
        assertEquals(2, store.list("b", null, 1, 10).items().size());
        assertTrue(store.list("none", null, 0, 10).items().isEmpty());
        assertEquals(9, store.list(null, null, 0, 10).items().size());
        assertEquals(Code.INVALID_ARGUMENT, code(() -> store.list("bad type", null, 0, 1)));
    }

    @Test
    void globalLogIsGapFreeInCommitOrder() {
        append("x", "1", "{}");
        append("y", "1", "{}");
        append("x", "1", "{}");
        List<EventRecord> log = store.log(1, 10);
        assertEquals(
                List.of(1L, 2L, 3L), log.stream().map(EventRecord::position).toList());
        assertEquals(
                List.of("x", "y", "x"),
                log.stream().map(EventRecord::aggregateType).toList());
        assertEquals(2, store.log(2, 10).size());
    }

    @Test
    void verifyRecomputesAndNamesTheFirstDamagedVersion() throws IOException {
        for (int i = 0; i < 5; i++) {
            append("t", "a", "{\"i\":" + i + "}");
        }
        assertTrue(store.verify("t", "a").ok());
        byte[] key = Keys.event("t", "a", 3);
        storage.tamper(key, replaceBytes(storage.get(key), "{\"i\":2}", "{\"i\":9}"));
        VerifyResult result = store.verify("t", "a");
        assertFalse(result.ok());
        assertEquals(3L, result.firstBadVersion());
        assertTrue(result.problem().contains("does not match its hash"), result.problem());
    }

    @Test
    void attributionIsCoveredByTheHash() throws IOException {
        append("t", "a", "{}");
        append("t", "a", "{}");
        byte[] key = Keys.event("t", "a", 2);
        storage.tamper(key, replaceBytes(storage.get(key), "jane", "jake"));
        assertEquals(2L, store.verify("t", "a").firstBadVersion());
    }

    @Test
    void proofsVerifyWithoutTheStore() {
        for (int i = 0; i < 9; i++) {
            append("t", "a", "{\"i\":" + i + "}");
        }
        InclusionProof inclusion = store.proveInclusion("t", "a", 4, 9);
        assertTrue(MerkleProofs.verifyInclusion(
                Hex.parse(inclusion.eventHash()),
                3,
                9,
                inclusion.path().stream().map(Hex::parse).toList(),
                Hex.parse(store.get("t", "a").orElseThrow().merkleRoot())));
        ConsistencyProof consistency = store.proveConsistency("t", "a", 5, 9);
        assertEquals(store.events("t", "a", 4, 1).get(0).merkleRoot(), consistency.fromRoot());
        assertTrue(MerkleProofs.verifyConsistency(
                5,
                9,
                Hex.parse(consistency.fromRoot()),
                Hex.parse(consistency.toRoot()),
                consistency.proof().stream().map(Hex::parse).toList()));
        assertEquals(Code.NOT_FOUND, code(() -> store.proveInclusion("t", "a", 10, 10)));
        assertEquals(Code.NOT_FOUND, code(() -> store.proveConsistency("t", "a", 5, 4)));
    }

    /**
     * The in-memory engine with a sync that takes as long as a disk's (about 1 ms): writers that arrive while one
     * batch syncs are grouped into the next, as on a real store, whatever else the machine is doing (with an instant
     * sync, a busy machine can run every writer alone).
     */
    static final class DiskLikeSync implements io.eventdbx.store.api.StorageEngine {
        private final InMemoryStorageEngine memory = new InMemoryStorageEngine();

        @Override
        public byte[] get(byte[] key) throws java.io.IOException {
            return memory.get(key);
        }

        @Override
        public List<io.eventdbx.store.api.KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse)
                throws java.io.IOException {
            return memory.scan(from, to, limit, reverse);
        }

        @Override
        public void write(io.eventdbx.store.api.WriteBatch batch, boolean sync) throws java.io.IOException {
            memory.write(batch, sync);
            if (sync) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            memory.flush();
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    // Repeated: the interleavings of lone writes (synced by the builder) and bursts (handed to the syncer) vary.
    @org.junit.jupiter.api.RepeatedTest(8)
    void concurrentAppendsAreCoalescedAndStayOrderedPerAggregate() throws Exception {
        store.close();
        store = new EventStoreEngine(new DiskLikeSync(), 1000, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        append("load", "own-" + thread, "{\"i\":" + i + "}");
                        append("load", "shared", "{\"t\":" + thread + "}");
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1600, store.get("load", "shared").orElseThrow().version());
        assertTrue(store.verify("load", "shared").ok());
        for (int t = 0; t < 16; t++) {
            assertEquals(100, store.get("load", "own-" + t).orElseThrow().version());
            assertEquals(
                    List.of(1L, 2L, 3L),
                    store.events("load", "own-" + t, 0, 3).stream()
                            .map(EventRecord::version)
                            .toList());
        }
        List<EventRecord> log = store.log(1, 5000);
        assertEquals(3200, log.size());
        for (int i = 0; i < log.size(); i++) {
            assertEquals(i + 1, log.get(i).position());
        }
        long[] stats = store.commitStats();
        assertTrue(stats[0] < stats[1], "appends were grouped: " + stats[0] + " batches for " + stats[1] + " writes");
    }

    @Test
    void aFailedWriteStopsTheStoreInsteadOfLosingEvents() {
        append("t", "a", "{}");
        storage.failWrites(new IOException("disk on fire"));
        EventStoreException first = assertThrows(EventStoreException.class, () -> append("t", "a", "{}"));
        assertEquals(Code.UNAVAILABLE, first.code());
        storage.failWrites(null);
        assertEquals(
                Code.UNAVAILABLE, code(() -> append("t", "b", "{}")), "no write is acknowledged after a failed sync");
        assertNotEquals(null, store.get("t", "a"));
        assertEquals(1, store.get("t", "a").orElseThrow().version(), "reads still work and show only durable data");
    }

    /** Replaces the first occurrence of a string's bytes by another of the same length: a bit-level tamper. */
    static byte[] replaceBytes(byte[] stored, String from, String to) {
        byte[] a = from.getBytes(StandardCharsets.UTF_8);
        byte[] b = to.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + a.length <= stored.length; i++) {
            if (java.util.Arrays.equals(stored, i, i + a.length, a, 0, a.length)) {
                byte[] out = stored.clone();
                System.arraycopy(b, 0, out, i, b.length);
                return out;
            }
        }
        throw new AssertionError("'" + from + "' is not in the stored bytes");
    }
}
