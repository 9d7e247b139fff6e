package io.eventdbx.benchmarks;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.Page;
import io.eventdbx.core.internal.EventStoreEngine;
import io.eventdbx.crypto.internal.CryptoComponent;
import io.eventdbx.store.rocksdb.internal.RocksDbStorageEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * The event store against bare rocksdbjni, in one run, on this machine. Prints a Markdown table.
 *
 * <p>Options: {@code --seconds N} per throughput measurement (default 5), {@code --aggregates N} stored for
 * the list measurement (default 1000000), {@code --long N} events in the long aggregate (default 100000).
 */
public final class StoreBenchmark {

    private static final IssuedBy WRITER = new IssuedBy("bench", "writer");
    private static final String PAYLOAD;

    static {
        // ~300 bytes of canonical JSON, like a typical domain event.
        StringBuilder p = new StringBuilder("{\"name\":\"Jane Doe\",\"status\":\"active\",\"notes\":\"");
        while (p.length() < 285) {
            p.append('x');
        }
        PAYLOAD = p.append("\",\"n\":1}").toString();
    }

    private final int seconds;
    private final List<String[]> rows = new ArrayList<>();

    private StoreBenchmark(int seconds) {
        this.seconds = seconds;
    }

    public static void main(String[] args) throws Exception {
        int seconds = intArg(args, "--seconds", 5);
        int aggregates = intArg(args, "--aggregates", 1_000_000);
        int longAggregate = intArg(args, "--long", 100_000);
        StoreBenchmark bench = new StoreBenchmark(seconds);
        Path root = Files.createTempDirectory("dbx-bench");
        try {
            bench.run(root, aggregates, longAggregate);
        } finally {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf(
                Locale.ROOT,
                "payload %d bytes; %d s per throughput figure; %d cores; %s%n%n",
                PAYLOAD.length(),
                seconds,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.version"));
        System.out.println("| measurement | result | baseline (same run) | ratio | target |");
        System.out.println("|---|---|---|---|---|");
        bench.rows.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
    }

    private void run(Path root, int aggregates, int longAggregate) throws Exception {
        double bare1 = bareRocks(root.resolve("bare1"), 1);
        double bare64 = bareRocks(root.resolve("bare64"), 64);
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(root.resolve("store"));
                EventStoreEngine store =
                        new EventStoreEngine(storage, 2_000_000, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            double one = appends(store, "one", 1);
            row(
                    "durable appends, 1 appender",
                    rate(one),
                    "bare RocksDB sync put, 1 writer: " + rate(bare1),
                    ratio(one, bare1),
                    "≥ 0.9×");
            double sixteen = appends(store, "sixteen", 16);
            // encryption at rest: the same appends through an engine that seals payloads and states, in its own
            // store, against this plaintext one
            double sealed;
            try (RocksDbStorageEngine encryptedStorage = new RocksDbStorageEngine(root.resolve("encrypted/store"));
                    EventStoreEngine encrypted = new EventStoreEngine(
                            encryptedStorage,
                            new CryptoComponent(encryptedStorage, root.resolve("encrypted")),
                            2_000_000,
                            EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES,
                            0)) {
                sealed = appends(encrypted, "sixteen", 16);
            }
            double plainAgain = appends(store, "sixteen-again", 16);
            double plain = (sixteen + plainAgain) / 2;
            row(
                    "durable appends, 16 appenders",
                    rate(sixteen),
                    "bare RocksDB sync put, 1 writer: " + rate(bare1),
                    ratio(sixteen, bare1),
                    "");
            row(
                    "durable appends, 16 appenders, encrypted at rest (AES-256-GCM)",
                    rate(sealed),
                    "same without encryption (mean of the runs before and after): " + rate(plain),
                    ratio(sealed, plain),
                    "≥ 0.9×");
            long[] before = store.commitStats();
            double sixtyFour = appends(store, "sixtyfour", 64);
            long[] after = store.commitStats();
            double perBatch = (double) (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
            row(
                    "durable appends, 64 appenders",
                    rate(sixtyFour) + String.format(Locale.ROOT, " (%.0f events per sync)", perBatch),
                    "bare RocksDB sync put, 64 threads: " + rate(bare64),
                    ratio(sixtyFour, bare64),
                    "≥ 1.5×");
            // The same 64 concurrent appends, in flight through appendAsync from two threads, as the REST server
            // now submits them: the batching is the same, without 64 parked threads to wake.
            before = store.commitStats();
            double inFlight = asyncAppends(store, "inflight", 2, 32);
            after = store.commitStats();
            perBatch = (double) (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
            row(
                    "durable appends, 64 in flight via appendAsync (2 threads × 32)",
                    rate(inFlight) + String.format(Locale.ROOT, " (%.0f events per sync)", perBatch),
                    "bare RocksDB sync put, 64 threads: " + rate(bare64),
                    ratio(inFlight, bare64),
                    "≥ 1.5×");

            // commit of 1000 staged events (one atomic write); the median of 21 rounds (the first ones warm the JIT,
            // as a long-running server's is)
            double[] commitRates = new double[21];
            int committed = 0;
            for (int round = 0; round < commitRates.length; round++) {
                for (int i = 0; i < 1000; i++) {
                    store.stage(new AppendRequest(
                            "staged", "s-" + (i % 100), "happened", PAYLOAD, null, null, null, WRITER));
                }
                long tc = System.nanoTime();
                committed = store.commitStaged().size();
                commitRates[round] = committed / ((System.nanoTime() - tc) / 1e9);
            }
            Arrays.sort(commitRates);
            row(
                    "commit of " + committed + " staged events (median of " + commitRates.length + ")",
                    rate(commitRates[commitRates.length / 2]),
                    "",
                    "",
                    "≥ 100 k/s");

            // current-state reads of a hot aggregate
            store.append(new AppendRequest("read", "hot", "e", PAYLOAD, null, null, null, WRITER));
            long[] latencies = new long[200_000];
            for (int i = 0; i < latencies.length; i++) {
                long t = System.nanoTime();
                store.get("read", "hot");
                latencies[i] = System.nanoTime() - t;
            }
            Arrays.sort(latencies);
            row(
                    "current-state get (p50 / p99)",
                    micros(latencies[latencies.length / 2]) + " / " + micros(latencies[latencies.length * 99 / 100]),
                    "",
                    "",
                    "p50 ≤ 20 µs");

            // a long aggregate: replay speed, and appends as cheap as to a new aggregate
            fill(store, "long", "l-1", longAggregate);
            double appendLong = latencyOfAppends(store, "long", "l-1", 2_000);
            double appendNew = latencyOfAppends(store, "long", null, 2_000);
            row(
                    "append latency: aggregate with " + longAggregate + " events vs new aggregates",
                    String.format(Locale.ROOT, "%.0f µs", appendLong),
                    String.format(Locale.ROOT, "new: %.0f µs", appendNew),
                    String.format(Locale.ROOT, "%.2f×", appendLong / appendNew),
                    "≈ 1×");
            long t0 = System.nanoTime();
            long replayed = 0;
            for (long skip = 0; ; skip += 1000) {
                int n = store.events("long", "l-1", skip, 1000).size();
                replayed += n;
                if (n < 1000) {
                    break;
                }
            }
            double replayRate = replayed / ((System.nanoTime() - t0) / 1e9);
            row("replay of " + replayed + " events", rate(replayRate), "", "", "≥ 500 k/s");

            // listing with many aggregates
            createMany(store, aggregates);
            String cursor = store.list(null, aggregates / 2, 1).nextCursor();
            long[] pages = new long[200];
            for (int i = 0; i < pages.length; i++) {
                long t = System.nanoTime();
                Page<?> page = store.list(cursor, 0, 100);
                pages[i] = System.nanoTime() - t;
                if (page.items().size() != 100) {
                    throw new IllegalStateException("short page");
                }
            }
            Arrays.sort(pages);
            row(
                    "list page of 100 by cursor, " + aggregates + " aggregates stored (p50 / p99)",
                    millis(pages[pages.length / 2]) + " / " + millis(pages[pages.length * 99 / 100]),
                    "",
                    "",
                    "≤ 2 ms");
        }
    }

    private double bareRocks(Path dir, int threads) throws Exception {
        RocksDB.loadLibrary();
        try (Options options = new Options()
                        .setCreateIfMissing(true)
                        .setIncreaseParallelism(2)
                        .setMaxBackgroundJobs(2);
                RocksDB db = RocksDB.open(options, dir.toString());
                WriteOptions sync = new WriteOptions().setSync(true)) {
            byte[] value = PAYLOAD.getBytes(StandardCharsets.UTF_8);
            return measure(threads, (thread, i) -> {
                byte[] key = ByteBuffer.allocate(32)
                        .put(("bare/" + thread + "/").getBytes(StandardCharsets.UTF_8))
                        .putLong(i)
                        .array();
                db.put(sync, key, value);
            });
        }
    }

    private double appends(EventStoreEngine store, String type, int threads) throws Exception {
        return measure(
                threads,
                (thread, i) -> store.append(
                        new AppendRequest(type, "agg-" + thread, "happened", PAYLOAD, null, null, null, WRITER)));
    }

    /**
     * Appends per second with {@code perThread} appends in flight on each of {@code threads} threads, each to its
     * own aggregate (a thread waits for a free slot, never for a particular append).
     */
    private double asyncAppends(EventStoreEngine store, String type, int threads, int perThread) throws Exception {
        Semaphore[] slots = new Semaphore[threads];
        Arrays.setAll(slots, t -> new Semaphore(perThread));
        AtomicLong failed = new AtomicLong();
        double rate = measure(threads, (thread, iteration) -> {
            slots[thread].acquire();
            AppendRequest request = new AppendRequest(
                    type,
                    "agg-" + thread + "-" + (iteration % perThread),
                    "happened",
                    PAYLOAD,
                    null,
                    null,
                    null,
                    WRITER);
            store.appendAsync(request).whenComplete((record, error) -> {
                if (error != null) {
                    failed.incrementAndGet();
                }
                slots[thread].release();
            });
        });
        // counted when submitted: wait for the last ones (at most threads × perThread) to be durable too
        for (Semaphore slot : slots) {
            slot.acquire(perThread);
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " asynchronous appends failed");
        }
        return rate;
    }

    private interface Work {
        void run(int thread, long iteration) throws Exception;
    }

    /** Operations per second of {@code threads} threads doing {@code work} for the configured time (after a 1 s warm-up). */
    private double measure(int threads, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong done = new AtomicLong();
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                long i = 0;
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        return null;
                    }
                    work.run(thread, i++);
                    if (now >= warmupEnd) {
                        done.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return done.get() / (double) seconds;
    }

    private void fill(EventStoreEngine store, String type, String id, int events) throws Exception {
        // one writer per aggregate is the worst case; pipelined appends from several threads fill it faster
        ExecutorService pool = Executors.newFixedThreadPool(32);
        AtomicLong left = new AtomicLong(events);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
            futures.add(pool.submit(() -> {
                while (left.decrementAndGet() >= 0) {
                    store.append(new AppendRequest(type, id, "happened", PAYLOAD, null, null, null, WRITER));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    private double latencyOfAppends(EventStoreEngine store, String type, String id, int count) {
        long t = System.nanoTime();
        for (int i = 0; i < count; i++) {
            store.append(new AppendRequest(
                    type, id != null ? id : "new-" + i, "happened", PAYLOAD, null, null, null, WRITER));
        }
        return (System.nanoTime() - t) / 1e3 / count;
    }

    private void createMany(EventStoreEngine store, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(64);
        AtomicLong next = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 64; t++) {
            futures.add(pool.submit(() -> {
                long i;
                while ((i = next.getAndIncrement()) < count) {
                    store.create("many", String.format("agg-%09d", i));
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    private void row(String name, String result, String baseline, String ratio, String target) {
        rows.add(new String[] {name, result, baseline, ratio, target});
        System.err.println(name + ": " + result + (baseline.isEmpty() ? "" : " vs " + baseline));
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f/s", perSecond);
    }

    private static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f×", a / b);
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
