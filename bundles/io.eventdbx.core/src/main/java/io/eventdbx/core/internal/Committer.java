package io.eventdbx.core.internal;

import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path: explicit group commit with one writer.
 *
 * <p>Every write (append, create, archive, restore, remove) is an {@link Operation}. A <b>builder</b> thread
 * takes every pending operation (up to {@value #MAX_BATCH} or {@value #MAX_BATCH_BYTES} bytes), runs them in
 * arrival order against the aggregates' heads, and stages their key/values in one {@link WriteBatch}. A
 * <b>syncer</b> thread writes that batch with {@code sync=true} and only then completes the callers. While one
 * batch syncs, the builder prepares the next (pipelining), so throughput grows with concurrency instead of
 * being capped at one sync per event.
 *
 * <p>Heads: the builder sees the newest (possibly not yet durable) head of an aggregate in {@code inFlight},
 * else the committed one in {@link HeadCache}, else the store. A failed write stops the committer for good:
 * the heads it built ahead are then wrong, and continuing could acknowledge lost events; every waiting and
 * later caller gets {@code UNAVAILABLE}, and a restart reloads the truth from the store.
 */
final class Committer implements AutoCloseable {

    static final int MAX_BATCH = 1000;
    static final long MAX_BATCH_BYTES = 8L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);

    /** A write, run on the builder thread. It must validate everything before it stages anything. */
    interface Operation {
        /**
         * Runs the operation.
         *
         * @return the caller's result, or a {@link CompletableFuture} whose result the caller gets instead
         */
        Object apply(BatchContext context);
    }

    private record Pending(Operation operation, CompletableFuture<Object> future) {}

    private record Batch(
            WriteBatch writes,
            List<Pending> pending,
            List<Object> results,
            Map<String, Head> heads,
            List<String> removed,
            List<String> idempotencyKeys) {}

    private static final Pending STOP = new Pending(context -> null, new CompletableFuture<>());
    private static final Batch STOP_BATCH = new Batch(null, List.of(), List.of(), Map.of(), List.of(), List.of());

    private final StorageEngine storage;
    private final Codec codec;
    private final HeadCache committed;
    private final BlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
    private final BlockingQueue<Batch> toSync = new ArrayBlockingQueue<>(1);
    private final Map<String, Head> inFlight = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Object>> inFlightIdempotency = new ConcurrentHashMap<>();
    // Batches given to the syncer and not yet committed. Only the builder increments it, so when the builder
    // reads 0 the syncer has nothing to write and a batch the builder writes itself cannot overtake another.
    private final java.util.concurrent.atomic.AtomicInteger handedOver =
            new java.util.concurrent.atomic.AtomicInteger();
    private final Thread builder;
    private final Thread syncer;
    private final LongAdder batches = new LongAdder();
    private final LongAdder operations = new LongAdder();
    private volatile EventStoreException failure;
    private volatile boolean closing;
    private long nextPosition;

    Committer(StorageEngine storage, Codec codec, HeadCache committed, long lastPosition) {
        this.storage = storage;
        this.codec = codec;
        this.committed = committed;
        this.nextPosition = lastPosition + 1;
        this.builder = new Thread(this::buildLoop, "dbx-commit-builder");
        this.syncer = new Thread(this::syncLoop, "dbx-commit-syncer");
        builder.setDaemon(true);
        syncer.setDaemon(true);
        builder.start();
        syncer.start();
    }

    /**
     * Runs a write and waits until it is durable.
     *
     * @return the operation's result
     * @throws EventStoreException if the operation refused, or the store is unavailable
     */
    Object submit(Operation operation) {
        checkUsable();
        CompletableFuture<Object> future = new CompletableFuture<>();
        queue.add(new Pending(operation, future));
        if (closing) {
            // close() may have drained the queue just before the add: make sure this caller is answered.
            future.completeExceptionally(unavailable("the store is shutting down"));
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof EventStoreException ese) {
                throw new EventStoreException(ese.code(), ese.getMessage(), ese);
            }
            throw new EventStoreException(Code.UNAVAILABLE, "the write failed: " + e.getCause(), e.getCause());
        }
    }

    /** Batches written and operations run so far. */
    long[] stats() {
        return new long[] {batches.sum(), operations.sum()};
    }

    private void checkUsable() {
        if (failure != null) {
            throw failure;
        }
        if (closing) {
            throw unavailable("the store is shutting down");
        }
    }

    private static EventStoreException unavailable(String message) {
        return new EventStoreException(Code.UNAVAILABLE, message);
    }

    static String key(String type, String id) {
        return type + '\u0000' + id;
    }

    /** What an operation can see and do. Only used on the builder thread. */
    final class BatchContext {
        private final WriteBatch writes = new WriteBatch();
        private final Map<String, Head> heads = new HashMap<>();
        private final List<String> removed = new ArrayList<>();
        private final List<String> idempotencyKeys = new ArrayList<>();
        private final String now = Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
        // what the current operation staged; merged into the batch only if it succeeds
        private final List<WriteBatch.Operation> opWrites = new ArrayList<>();
        private final Map<String, Head> opHeads = new HashMap<>();
        private final List<String> opRemoved = new ArrayList<>();
        private final Map<String, CompletableFuture<Object>> opIdempotency = new HashMap<>();
        private long opPositionStart;
        private CompletableFuture<Object> current;

        /** The newest head of an aggregate, or null if it does not exist. */
        Head head(String type, String id) {
            String key = key(type, id);
            if (opRemoved.contains(key)) {
                return null;
            }
            Head head = opHeads.get(key);
            if (head == null) {
                head = heads.get(key);
            }
            if (head == null && !removed.contains(key)) {
                head = inFlight.get(key);
            }
            if (head == null && !removed.contains(key)) {
                head = committed.get(key);
            }
            if (head == null && !removed.contains(key) && !inFlight.containsKey(key)) {
                head = load(type, id);
            }
            return head == Tombstone.HEAD ? null : head;
        }

        private Head load(String type, String id) {
            try {
                byte[] bytes = storage.get(Keys.head(type, id));
                return bytes == null ? null : codec.decodeHead(type, id, bytes);
            } catch (IOException e) {
                throw unavailable("cannot read " + type + "/" + id + ": " + e.getMessage());
            }
        }

        /** Stages a new head. */
        void putHead(Head head) {
            String key = key(head.type(), head.id());
            opRemoved.remove(key);
            // Encoded once per aggregate when the batch is complete: several events of one aggregate in a batch
            // (a commit of staged events, a hot aggregate) write its head once.
            opHeads.put(key, head);
        }

        /** Stages the removal of an aggregate's head. */
        void removeHead(String type, String id) {
            String key = key(type, id);
            opHeads.remove(key);
            opRemoved.add(key);
            opWrites.add(new WriteBatch.Operation(Keys.head(type, id), null));
        }

        void put(byte[] key, byte[] value) {
            opWrites.add(new WriteBatch.Operation(key, value));
        }

        void delete(byte[] key) {
            opWrites.add(new WriteBatch.Operation(key, null));
        }

        long nextPosition() {
            return nextPosition++;
        }

        String now() {
            return now;
        }

        /** The future of an uncommitted write that used this idempotency key, if any. */
        CompletableFuture<Object> pendingIdempotent(String key) {
            CompletableFuture<Object> own = opIdempotency.get(key);
            return own != null ? own : inFlightIdempotency.get(key);
        }

        /** Marks the current operation as the holder of an idempotency key until it commits. */
        void holdIdempotency(String key) {
            opIdempotency.put(key, current);
        }

        byte[] read(byte[] key) {
            try {
                return storage.get(key);
            } catch (IOException e) {
                throw unavailable("read failed: " + e.getMessage());
            }
        }

        private void beginOperation(CompletableFuture<Object> future) {
            current = future;
            opWrites.clear();
            opHeads.clear();
            opRemoved.clear();
            opIdempotency.clear();
            opPositionStart = nextPosition;
        }

        private void commitOperation() {
            for (WriteBatch.Operation op : opWrites) {
                if (op.value() == null) {
                    writes.delete(op.key());
                } else {
                    writes.put(op.key(), op.value());
                }
            }
            for (String key : opRemoved) {
                heads.remove(key);
                removed.add(key);
            }
            opHeads.forEach((key, head) -> {
                heads.put(key, head);
                removed.remove(key);
            });
            opIdempotency.forEach((key, future) -> {
                inFlightIdempotency.put(key, future);
                idempotencyKeys.add(key);
            });
        }

        private void abortOperation() {
            nextPosition = opPositionStart;
        }
    }

    /** Marks a removed aggregate in the in-flight map until its removal is durable. */
    private static final class Tombstone {
        static final Head HEAD = new Head("", "", -1, null, null, false, null, null, null);
    }

    private void buildLoop() {
        List<Pending> drained = new ArrayList<>(MAX_BATCH);
        try {
            while (true) {
                Pending first = queue.take();
                if (first == STOP) {
                    break;
                }
                drained.clear();
                drained.add(first);
                queue.drainTo(drained, MAX_BATCH - 1);
                boolean stop = drained.remove(STOP);
                Batch batch = build(drained);
                if (batch != null) {
                    // Nothing else waiting and the syncer idle: sync here and save a thread hand-off (the latency
                    // of a lone writer). Otherwise hand the batch over and build the next one while it syncs.
                    if (queue.isEmpty() && handedOver.get() == 0) {
                        commit(batch);
                    } else {
                        handedOver.incrementAndGet();
                        toSync.put(batch);
                    }
                }
                if (stop) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                toSync.put(STOP_BATCH);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Batch build(List<Pending> drained) {
        BatchContext context = new BatchContext();
        List<Pending> accepted = new ArrayList<>(drained.size());
        List<Object> results = new ArrayList<>(drained.size());
        for (int i = 0; i < drained.size(); i++) {
            Pending pending = drained.get(i);
            if (failure != null) {
                pending.future().completeExceptionally(failure);
                continue;
            }
            context.beginOperation(pending.future());
            try {
                Object result = pending.operation().apply(context);
                context.commitOperation();
                accepted.add(pending);
                results.add(result);
            } catch (EventStoreException e) {
                context.abortOperation();
                pending.future().completeExceptionally(e);
            } catch (RuntimeException e) {
                context.abortOperation();
                LOG.error("write operation failed", e);
                pending.future()
                        .completeExceptionally(new EventStoreException(
                                Code.UNAVAILABLE,
                                "the write failed unexpectedly (" + e.getClass().getSimpleName()
                                        + "); see the server log",
                                e));
            }
            if (context.writes.sizeInBytes() > MAX_BATCH_BYTES) {
                // Rare (very large payloads): ship what is built; the rest goes back to the head of the queue,
                // in order, so no aggregate's writes are reordered.
                for (int j = drained.size() - 1; j > i; j--) {
                    queue.addFirst(drained.get(j));
                }
                break;
            }
        }
        if (accepted.isEmpty()) {
            return null;
        }
        context.heads
                .values()
                .forEach(head -> context.writes.put(Keys.head(head.type(), head.id()), codec.encodeHead(head)));
        context.heads.forEach(inFlight::put);
        context.removed.forEach(key -> inFlight.put(key, Tombstone.HEAD));
        return new Batch(context.writes, accepted, results, context.heads, context.removed, context.idempotencyKeys);
    }

    private void syncLoop() {
        try {
            while (true) {
                Batch batch = toSync.take();
                if (batch == STOP_BATCH) {
                    return;
                }
                try {
                    commit(batch);
                } finally {
                    handedOver.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void commit(Batch batch) {
        if (failure != null) {
            batch.pending().forEach(p -> p.future().completeExceptionally(failure));
            return;
        }
        if (!batch.writes().isEmpty()) {
            try {
                storage.write(batch.writes(), true);
            } catch (IOException | RuntimeException e) {
                LOG.error("a write to the store failed; the store stops taking writes to protect the data", e);
                failure = unavailable(
                        "the store stopped after a failed write (" + e.getMessage() + "); restart the server");
                batch.pending().forEach(p -> p.future().completeExceptionally(failure));
                queue.forEach(p -> p.future().completeExceptionally(failure));
                return;
            }
        }
        batches.increment();
        operations.add(batch.pending().size());
        batch.heads().forEach((key, head) -> {
            committed.put(key, head);
            inFlight.remove(key, head);
        });
        batch.removed().forEach(key -> {
            committed.remove(key);
            inFlight.remove(key, Tombstone.HEAD);
        });
        for (int i = 0; i < batch.pending().size(); i++) {
            Object result = batch.results().get(i);
            CompletableFuture<Object> future = batch.pending().get(i).future();
            if (result instanceof CompletableFuture<?> other) {
                other.whenComplete((value, error) -> {
                    if (error != null) {
                        future.completeExceptionally(error instanceof CompletionException ce ? ce.getCause() : error);
                    } else {
                        future.complete(value);
                    }
                });
            } else {
                future.complete(result);
            }
        }
        batch.idempotencyKeys().forEach(inFlightIdempotency::remove);
    }

    /** Stops taking writes, finishes what was accepted, and ends both threads. */
    @Override
    public void close() {
        closing = true;
        queue.add(STOP);
        try {
            builder.join(30_000);
            syncer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        EventStoreException stopped = unavailable("the store is shutting down");
        queue.forEach(p -> p.future().completeExceptionally(stopped));
        queue.clear();
    }
}
