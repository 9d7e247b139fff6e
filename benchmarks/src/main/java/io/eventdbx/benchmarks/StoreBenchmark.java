package io.eventdbx.benchmarks;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
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
import org.rocksdb.FlushOptions;
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
    /** The server's head cache when {@code memory_threshold} is unset: fewer heads than the aggregates stored. */
    private static final int CACHED_HEADS = EventStoreEngine.DEFAULT_CACHED_HEADS;

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
        // The baselines the issue names: bare rocksdbjni with default options, in a fresh database.
        Throughput bare1Put = bareRocks(root.resolve("bare1"), 1, false);
        Throughput bare64Put = bareRocks(root.resolve("bare64"), 64, false);
        double bare1 = bare1Put.perSecond();
        double bare64 = bare64Put.perSecond();
        // Like for like: bare RocksDB with the engine's write-ahead log setting (recycled log files), in the same
        // steady state the engine is measured in.
        double bare1Recycled = bareRocks(root.resolve("bare1r"), 1, true).perSecond();
        double bare64Recycled = bareRocks(root.resolve("bare64r"), 64, true).perSecond();
        try (RocksDbStorageEngine storage = new RocksDbStorageEngine(root.resolve("store"));
                EventStoreEngine store =
                        new EventStoreEngine(storage, CACHED_HEADS, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES)) {
            // Steady state first, as a server that holds data is: the long aggregate and the many aggregates the
            // read rows below use. Their ~250 MB of writes flush memtables, so the engine's write-ahead log files
            // are recycled by the time appends are measured.
            fill(store, "long", "l-1", longAggregate);
            createMany(store, aggregates);
            storage.flush();

            quiet(storage);
            Throughput oneAppender = appends(store, "one", 1);
            double one = oneAppender.perSecond();
            row(
                    "durable appends, 1 appender",
                    rate(one) + cpu(oneAppender),
                    "bare RocksDB sync put, 1 writer: " + rate(bare1) + cpu(bare1Put),
                    ratio(one, bare1),
                    "≥ 0.9×");
            row(
                    "durable appends, 1 appender, like for like",
                    rate(one),
                    "bare RocksDB sync put, 1 writer, recycled log, steady state: " + rate(bare1Recycled),
                    ratio(one, bare1Recycled),
                    "");
            quiet(storage);
            double sixteen = appends(store, "sixteen", 16).perSecond();
            // encryption at rest: the same appends through an engine that seals payloads and states, in its own
            // store, against this plaintext one
            double sealed;
            try (RocksDbStorageEngine encryptedStorage = new RocksDbStorageEngine(root.resolve("encrypted/store"));
                    EventStoreEngine encrypted = new EventStoreEngine(
                            encryptedStorage,
                            new CryptoComponent(encryptedStorage, root.resolve("encrypted")),
                            CACHED_HEADS,
                            EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES,
                            0)) {
                // the same steady state as the plaintext store (recycled log files), or the rows measure that
                fill(encrypted, "long", "l-1", longAggregate);
                encryptedStorage.flush();
                quiet(encryptedStorage);
                quiet(storage); // the plaintext store's compactions would run during this row otherwise
                sealed = appends(encrypted, "sixteen", 16).perSecond();
            }
            quiet(storage);
            double plainAgain = appends(store, "sixteen-again", 16).perSecond();
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
            quiet(storage);
            long[] before = store.commitStats();
            Throughput sixtyFourAppenders = appends(store, "sixtyfour", 64);
            double sixtyFour = sixtyFourAppenders.perSecond();
            long[] after = store.commitStats();
            double perBatch = (double) (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
            row(
                    "durable appends, 64 appenders",
                    rate(sixtyFour) + batched(perBatch, sixtyFourAppenders),
                    "bare RocksDB sync put, 64 threads: " + rate(bare64) + cpu(bare64Put),
                    ratio(sixtyFour, bare64),
                    "≥ 1.5×");
            row(
                    "durable appends, 64 appenders, like for like",
                    rate(sixtyFour),
                    "bare RocksDB sync put, 64 threads, recycled log, steady state: " + rate(bare64Recycled),
                    ratio(sixtyFour, bare64Recycled),
                    "");
            // The same 64 appenders with one live subscriber following the log: the appenders' rate against the row
            // above, and how long after its acknowledgement the subscriber has each event.
            quiet(storage);
            Throughput withoutSubscriber = appends(store, "followed-alone", 64);
            quiet(storage);
            Followed followed = followedAppends(store, "followed", 64);
            row(
                    "durable appends, 64 appenders, one live subscriber",
                    rate(followed.throughput().perSecond()) + cpu(followed.throughput()) + "; delivered after the"
                            + " acknowledgement: p50 " + millis(followed.p50Nanos()) + ", p99 "
                            + millis(followed.p99Nanos()) + " (" + followed.delivered() + " events)",
                    "the same without a subscriber: " + rate(withoutSubscriber.perSecond()) + cpu(withoutSubscriber),
                    ratio(followed.throughput().perSecond(), withoutSubscriber.perSecond()),
                    "≥ 0.9×, p99 ≤ 20 ms");
            // The same 64 concurrent appends, in flight through appendAsync from two threads, as the REST server
            // now submits them: the batching is the same, without 64 parked threads to wake.
            quiet(storage);
            before = store.commitStats();
            Throughput inFlightAppends = asyncAppends(store, "inflight", 2, 32);
            double inFlight = inFlightAppends.perSecond();
            after = store.commitStats();
            perBatch = (double) (after[1] - before[1]) / Math.max(1, after[0] - before[0]);
            row(
                    "durable appends, 64 in flight via appendAsync (2 threads × 32)",
                    rate(inFlight) + batched(perBatch, inFlightAppends),
                    "bare RocksDB sync put, 64 threads: " + rate(bare64) + cpu(bare64Put),
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
                quiet(storage);
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

            // a long aggregate (filled above): replay speed, and appends as cheap as to a new aggregate
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

            // listing with many aggregates (created above)
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

    /**
     * Bare rocksdbjni {@code sync=true} puts per second. {@code recycled}: with the engine's recycled write-ahead log
     * files, after ~200 MB of unsynced writes and a flush have left a log file to recycle (a fresh database has none).
     */
    private Throughput bareRocks(Path dir, int threads, boolean recycled) throws Exception {
        RocksDB.loadLibrary();
        try (Options options = new Options()
                        .setCreateIfMissing(true)
                        .setIncreaseParallelism(2)
                        .setMaxBackgroundJobs(2)
                        .setRecycleLogFileNum(recycled ? 2 : 0);
                RocksDB db = RocksDB.open(options, dir.toString());
                WriteOptions sync = new WriteOptions().setSync(true);
                WriteOptions unsynced = new WriteOptions()) {
            byte[] value = PAYLOAD.getBytes(StandardCharsets.UTF_8);
            if (recycled) {
                byte[] filler = new byte[1200];
                for (int i = 0; i < 170_000; i++) {
                    db.put(unsynced, ("fill/" + i).getBytes(StandardCharsets.UTF_8), filler);
                }
                try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                    db.flush(flush);
                }
                while (db.getLongProperty("rocksdb.num-running-compactions") > 0
                        || db.getLongProperty("rocksdb.compaction-pending") > 0) {
                    Thread.sleep(50);
                }
            }
            return measure(threads, (thread, i) -> {
                byte[] key = ByteBuffer.allocate(32)
                        .put(("bare/" + thread + "/").getBytes(StandardCharsets.UTF_8))
                        .putLong(i)
                        .array();
                db.put(sync, key, value);
            });
        }
    }

    private Throughput appends(EventStoreEngine store, String type, int threads) throws Exception {
        return measure(
                threads,
                (thread, i) -> store.append(
                        new AppendRequest(type, "agg-" + thread, "happened", PAYLOAD, null, null, null, WRITER)));
    }

    /** Appends with a subscriber attached, and the subscriber's delay after each acknowledgement. */
    private record Followed(Throughput throughput, long p50Nanos, long p99Nanos, int delivered) {}

    private Followed followedAppends(EventStoreEngine store, String type, int threads) throws Exception {
        int slots = 1 << 22;
        java.util.concurrent.atomic.AtomicLongArray acked = new java.util.concurrent.atomic.AtomicLongArray(slots);
        long[] delays = new long[1 << 22];
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        long start = store.durablePosition() + 1;
        io.eventdbx.api.Subscription subscription =
                store.subscribe(start, e -> e.aggregateType().equals(type), e -> {
                    long now = System.nanoTime();
                    long ack = acked.get((int) (e.position() % slots));
                    int n = count.getAndIncrement();
                    if (n < delays.length) {
                        delays[n] = ack == 0
                                ? 0
                                : Math.max(0, now - ack); // 0: delivered before the appender got its answer
                    }
                });
        Throughput throughput;
        try {
            throughput = measure(threads, (thread, i) -> {
                EventRecord record = store.append(
                        new AppendRequest(type, "agg-" + thread, "happened", PAYLOAD, null, null, null, WRITER));
                acked.set((int) (record.position() % slots), System.nanoTime());
            });
            long last = store.durablePosition();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (subscription.position() <= last && System.nanoTime() < deadline) {
                Thread.sleep(1); // the subscriber's last deliveries
            }
        } finally {
            subscription.close();
        }
        int n = Math.min(count.get(), delays.length);
        long[] sorted = Arrays.copyOf(delays, n);
        Arrays.sort(sorted);
        return new Followed(
                throughput, n == 0 ? 0 : sorted[n / 2], n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))], n);
    }

    /**
     * Appends per second with {@code perThread} appends in flight on each of {@code threads} threads, each to its
     * own aggregate (a thread waits for a free slot, never for a particular append).
     */
    private Throughput asyncAppends(EventStoreEngine store, String type, int threads, int perThread) throws Exception {
        Semaphore[] slots = new Semaphore[threads];
        Arrays.setAll(slots, t -> new Semaphore(perThread));
        AtomicLong failed = new AtomicLong();
        Throughput rate = measure(threads, (thread, iteration) -> {
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

    /**
     * Starts a measurement on a quiet store: the flushes and compactions the rows before it left behind would
     * otherwise land on whichever row comes next (each row still pays for the background work it causes itself).
     */
    private static void quiet(RocksDbStorageEngine storage) throws Exception {
        if (!storage.awaitIdle(120_000)) {
            throw new IllegalStateException("the store did not become idle within 2 minutes");
        }
    }

    private interface Work {
        void run(int thread, long iteration) throws Exception;
    }

    /**
     * Operations per second, and the process's CPU time per operation in microseconds (every thread: callers,
     * committer, RocksDB's flushes and compactions). Both run on the same two cores, so when they keep them busy
     * the throughput is about 2 cores / CPU per operation: the CPU figure says where the time went, and moves less
     * than a rate on a noisy machine.
     */
    private record Throughput(double perSecond, double cpuMicros) {}

    private static final com.sun.management.OperatingSystemMXBean OS = (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** {@code threads} threads doing {@code work} for the configured time, measured after a 1 s warm-up. */
    private Throughput measure(int threads, Work work) throws Exception {
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
        // the CPU of the measured window only: the warm-up's includes the JIT compiler's
        TimeUnit.NANOSECONDS.sleep(warmupEnd - System.nanoTime());
        long cpuStart = OS.getProcessCpuTime();
        for (Future<?> f : futures) {
            f.get();
        }
        long cpu = OS.getProcessCpuTime() - cpuStart;
        pool.shutdown();
        return new Throughput(done.get() / (double) seconds, cpu / 1e3 / Math.max(1, done.get()));
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

    /** The group-commit and CPU part of a result: " (n events per sync; CPU n µs each)". */
    private static String batched(double perBatch, Throughput throughput) {
        return String.format(
                Locale.ROOT, " (%.0f events per sync; CPU %.0f µs each)", perBatch, throughput.cpuMicros());
    }

    /** The CPU part of a result: " (CPU n µs per operation)". */
    private static String cpu(Throughput throughput) {
        return String.format(Locale.ROOT, " (CPU %.0f µs each)", throughput.cpuMicros());
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
