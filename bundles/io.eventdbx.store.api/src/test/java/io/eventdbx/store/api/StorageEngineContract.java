package io.eventdbx.store.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link StorageEngine} must do. An engine's test extends this and says how to open one. */
public abstract class StorageEngineContract {

    protected StorageEngine engine;

    /** Opens a new, empty engine. */
    protected abstract StorageEngine open() throws Exception;

    /** Closes the engine and opens it again on the same data, or returns null if the engine keeps no data. */
    protected abstract StorageEngine reopen(StorageEngine closed) throws Exception;

    @BeforeEach
    void openEngine() throws Exception {
        engine = open();
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    protected static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void putGetDelete() throws Exception {
        assertNull(engine.get(b("a")));
        engine.write(new WriteBatch().put(b("a"), b("1")), true);
        assertArrayEquals(b("1"), engine.get(b("a")));
        engine.write(new WriteBatch().put(b("a"), b("2")), false);
        assertArrayEquals(b("2"), engine.get(b("a")));
        engine.write(new WriteBatch().delete(b("a")), true);
        assertNull(engine.get(b("a")));
    }

    @Test
    void getAllAnswersInTheOrderAskedWithNullForAbsentKeys() throws Exception {
        engine.write(new WriteBatch().put(b("a"), b("1")).put(b("c"), b("3")), true);
        java.util.List<byte[]> got = engine.getAll(java.util.List.of(b("c"), b("b"), b("a"), b("c")));
        assertEquals(4, got.size());
        assertArrayEquals(b("3"), got.get(0));
        assertNull(got.get(1));
        assertArrayEquals(b("1"), got.get(2));
        assertArrayEquals(b("3"), got.get(3));
        assertEquals(0, engine.getAll(java.util.List.of()).size());
    }

    @Test
    void batchesApplyInOrder() throws Exception {
        engine.write(
                new WriteBatch()
                        .put(b("k"), b("1"))
                        .delete(b("k"))
                        .put(b("j"), b("x"))
                        .put(b("j"), b("y")),
                true);
        assertNull(engine.get(b("k")));
        assertArrayEquals(b("y"), engine.get(b("j")));
    }

    @Test
    void scansAreOrderedAsUnsignedBytesAndBounded() throws Exception {
        WriteBatch batch = new WriteBatch();
        byte[] high = {'p', (byte) 0xff};
        byte[] low = {'p', 0x01};
        batch.put(high, b("high"))
                .put(low, b("low"))
                .put(b("p\u0050"), b("mid"))
                .put(b("q"), b("out"))
                .put(b("o"), b("out"));
        engine.write(batch, true);
        List<KeyValue> all = engine.scan(b("p"), b("q"), 10, false);
        assertEquals(
                List.of("low", "mid", "high"),
                all.stream().map(kv -> s(kv.value())).toList());
        List<KeyValue> reversed = engine.scan(b("p"), b("q"), 2, true);
        assertEquals(
                List.of("high", "mid"),
                reversed.stream().map(kv -> s(kv.value())).toList());
        assertEquals(1, engine.scan(b("p"), b("q"), 1, false).size());
        assertTrue(engine.scan(b("q"), b("p"), 10, false).isEmpty());
    }

    @Test
    void concurrentBatchesAreAtomic() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        WriteBatch batch = new WriteBatch();
                        batch.put(b("x/" + thread + "/" + i + "/a"), b("1"))
                                .put(b("x/" + thread + "/" + i + "/b"), b("2"));
                        engine.write(batch, i % 10 == 0);
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
        assertEquals(1600, engine.scan(b("x/"), b("x0"), 10_000, false).size());
    }

    @Test
    void dataSurvivesReopen() throws Exception {
        engine.write(new WriteBatch().put(b("durable"), b("yes")), true);
        StorageEngine reopened = reopen(engine);
        if (reopened == null) {
            return;
        }
        engine = reopened;
        assertArrayEquals(b("yes"), engine.get(b("durable")));
    }

    @Test
    void anUnsyncedBatchIsDurableOnceALaterSyncedOneIs() throws Exception {
        engine.write(new WriteBatch().put(b("first"), b("unsynced")), false);
        engine.write(new WriteBatch().put(b("second"), b("synced")), true);
        StorageEngine reopened = reopen(engine);
        if (reopened == null) {
            return;
        }
        engine = reopened;
        assertArrayEquals(b("unsynced"), engine.get(b("first")));
        assertArrayEquals(b("synced"), engine.get(b("second")));
    }

    @Test
    void closedEngineRefusesWork() throws Exception {
        engine.close();
        assertThrows(IOException.class, () -> engine.get(b("a")));
        assertThrows(IOException.class, () -> engine.write(new WriteBatch().put(b("a"), b("1")), true));
        engine = open();
    }
}
