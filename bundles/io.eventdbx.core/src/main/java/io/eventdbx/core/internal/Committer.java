package io.eventdbx.core.internal;

import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.api.StoreObserver;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path: explicit group commit with one writer.
 *
 * <p>Every write (append, create, archive, restore, remove, stage, commit) is an {@link Operation}. Callers do
 * the expensive, independent work first, on their own threads (validation, JSON, and a speculative hash and
 * encoding); then:
 *
 * <ul>
 *   <li>a <b>builder</b> thread takes queued operations and runs them, in arrival order, into the <em>open
 *       batch</em>: each checks against the newest head of its aggregate and stages key/values in one
 *       {@link WriteBatch};
 *   <li>a <b>syncer</b> thread, whenever it is free and the open batch is not empty, takes that batch (the next
 *       one opens at once), writes it with {@code sync=true}, and tells the builder, which answers the callers.
 * </ul>
 *
 * <p>So batches are as large as what arrives during one sync, syncs follow each other without waiting for
 * another thread to wake, and callers are answered only after the sync that holds their write. A lone writer
 * with nothing queued or syncing skips both threads and writes its own batch ({@link #commitAlone}).
 *
 * <p>Heads: the builder sees the newest (possibly not yet durable) head of an aggregate in the open batch, else
 * in {@code inFlight} (taken by the syncer, not yet durable), else the committed one in {@link HeadCache}, else
 * the store. A failed write stops the committer for good: the heads built ahead are then wrong, and continuing
 * could acknowledge lost events; every waiting and later caller gets {@code UNAVAILABLE}, and a restart reloads
 * the truth from the store.
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

    /**
     * An entry of the builder's queue: a caller's operation, or (with {@code durable} set and no operation) the
     * syncer's news that a batch is durable, whose callers the builder then answers.
     */
    private record Pending(Operation operation, CompletableFuture<Object> future, boolean exclusive, Batch durable) {

        Pending(Operation operation, CompletableFuture<Object> future, boolean exclusive) {
            this(operation, future, exclusive, null);
        }

        void fail(EventStoreException e) {
            if (future != null) {
                future.completeExceptionally(e);
            }
        }
    }

    private record Batch(
            WriteBatch writes,
            List<Pending> pending,
            List<Object> results,
            Map<String, Head> heads,
            List<String> removed,
            List<String> idempotencyKeys,
            long lastPosition,
            List<Runnable> undos) {}

    private static final Pending STOP = new Pending(context -> null, new CompletableFuture<>(), false);

    private static final Batch EMPTY_BATCH =
            new Batch(null, List.of(), List.of(), Map.of(), List.of(), List.of(), 0, List.of());

    private final StorageEngine storage;
    private final Codec codec;
    private final HeadCache committed;
    private static final StoreObserver NO_OBSERVER = new StoreObserver() {};

    private final BlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
    private final Map<String, Head> inFlight = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Object>> inFlightIdempotency = new ConcurrentHashMap<>();
    // Guards the open batch, the syncing flag and the sequence numbers (nextPosition; the engine's staged
    // sequence). Held briefly by the builder while it runs operations and by the syncer while it takes a batch;
    // held throughout by a writer that commits alone, so no other batch can be written meanwhile.
    // Fair: when the syncer is waiting to take a batch, the builder lets it go first (see buildInto).
    private final ReentrantLock buildLock = new ReentrantLock(true);
    private final Condition work = buildLock.newCondition(); // the syncer waits for a non-empty open batch
    private final Condition taken = buildLock.newCondition(); // the builder waits for room, or for quiet
    private BatchContext open; // null when nothing is open
    private boolean syncing; // the syncer is writing a batch it took
    private boolean stopping;
    private final Thread builder;
    private final Thread syncer;
    private final LongAdder batches = new LongAdder();
    private final LongAdder operations = new LongAdder();
    private volatile EventStoreException failure;
    private volatile StoreObserver observer = NO_OBSERVER;
    private volatile boolean closing;
    private long nextPosition;
    // The newest position whose event is durable: what subscribers may read up to. Written by the one writer of
    // batches (the syncer, or a caller committing alone) after the sync; read by subscribers.
    private volatile long durablePosition;
    // Told after each durable batch (subscriptions waking up); each must return at once.
    private final java.util.concurrent.CopyOnWriteArrayList<Runnable> durableListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    // The newest durable events by position modulo its size, kept while anyone listens, so that a subscriber that
    // keeps up reads them here instead of decoding them from the store; a slot holds the newest position for it.
    private final EventRecord[] recent = new EventRecord[RECENT];

    Committer(StorageEngine storage, Codec codec, HeadCache committed, long lastPosition) {
        this.storage = storage;
        this.codec = codec;
        this.committed = committed;
        this.nextPosition = lastPosition + 1;
        this.durablePosition = lastPosition;
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
        return submit(operation, false);
    }

    /**
     * Runs a write and waits until it is durable.
     *
     * @param exclusive run it only after every earlier write is durable, and alone (for writes that read what
     *     earlier writes changed in the store, such as the commit of staged events)
     * @return the operation's result
     * @throws EventStoreException if the operation refused, or the store is unavailable
     */
    Object submit(Operation operation, boolean exclusive) {
        try {
            return start(operation, exclusive).join();
        } catch (CompletionException e) {
            throw callerError(e.getCause(), true);
        }
    }

    /**
     * Runs a write without waiting: the future completes after the sync that holds it, on the committer's thread
     * (or the caller's, when it commits alone), so what depends on it must be quick and must not block.
     *
     * @return the operation's result, or an {@link EventStoreException} if it refused or the store is unavailable
     */
    CompletableFuture<Object> submitAsync(Operation operation) {
        CompletableFuture<Object> future;
        try {
            future = start(operation, false);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        // Plain exceptions for the caller, not CompletionExceptions wrapping them.
        CompletableFuture<Object> answer = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error == null) {
                answer.complete(value);
            } else {
                answer.completeExceptionally(
                        callerError(error instanceof CompletionException ce ? ce.getCause() : error, false));
            }
        });
        return answer;
    }

    private CompletableFuture<Object> start(Operation operation, boolean exclusive) {
        checkUsable();
        CompletableFuture<Object> future = new CompletableFuture<>();
        Pending pending = new Pending(operation, future, exclusive);
        if (!commitAlone(pending)) {
            queue.add(pending);
        }
        if (closing) {
            // close() may have drained the queue just before the add: make sure this caller is answered.
            future.completeExceptionally(unavailable("the store is shutting down"));
        }
        return future;
    }

    /** The error a caller gets for a failed write; {@code here} adds the caller's stack for a blocking caller. */
    private static EventStoreException callerError(Throwable cause, boolean here) {
        if (cause instanceof EventStoreException ese) {
            return here ? new EventStoreException(ese.code(), ese.getMessage(), ese.details(), ese) : ese;
        }
        return new EventStoreException(Code.UNAVAILABLE, "the write failed: " + cause, cause);
    }

    /**
     * The lone writer's path: when nothing is queued, open or syncing, the caller builds and writes its own batch,
     * which saves two thread hand-offs (most of the latency a single appender sees over the sync itself).
     *
     * @return whether the operation ran here; if not, the caller queues it
     */
    private boolean commitAlone(Pending pending) {
        if (!queue.isEmpty() || !buildLock.tryLock()) {
            return false;
        }
        try {
            if (syncing || open != null || !queue.isEmpty() || closing) {
                return false;
            }
            BatchContext context = new BatchContext();
            run(context, pending);
            if (!context.accepted.isEmpty()) {
                commit(finish(context));
            }
            return true;
        } finally {
            buildLock.unlock();
        }
    }

    /** Tells an observer (or none, with null) about every durable batch. */
    void observe(StoreObserver observer) {
        this.observer = observer == null ? NO_OBSERVER : observer;
    }

    /** How many of the newest durable events are kept in memory for subscribers. */
    static final int RECENT = 8192;

    /** The newest position whose event is durable (0 when the log is empty). */
    long durablePosition() {
        return durablePosition;
    }

    /**
     * A durable event from memory, if it is still kept there.
     *
     * @param position its position, at most {@link #durablePosition()}
     * @return the event, or null (read it from the store)
     */
    EventRecord recent(long position) {
        EventRecord event = recent[(int) (position % RECENT)];
        return event != null && event.position() == position ? event : null;
    }

    /**
     * Tells a listener after every durable batch, on the writer's thread: it must return at once.
     *
     * @param listener what to run
     * @return what stops telling it
     */
    Runnable onDurable(Runnable listener) {
        durableListeners.add(listener);
        return () -> durableListeners.remove(listener);
    }

    /** Publishes a durable batch to subscribers: its events in memory, then its last position, then a wake-up. */
    private void publish(Batch batch) {
        if (durableListeners.isEmpty()) {
            durablePosition = Math.max(durablePosition, batch.lastPosition());
            return;
        }
        for (Object result : batch.results()) {
            if (result instanceof EventRecord event) {
                recent[(int) (event.position() % RECENT)] = event;
            } else if (result instanceof List<?> events) {
                for (Object item : events) {
                    if (item instanceof EventRecord event) {
                        recent[(int) (event.position() % RECENT)] = event;
                    }
                }
            }
        }
        durablePosition = Math.max(durablePosition, batch.lastPosition());
        for (Runnable listener : durableListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("a subscription's wake-up failed; the write it was told about is durable", e);
            }
        }
    }

    /** Batches written and operations run so far. */
    long[] stats() {
        return new long[] {batches.sum(), operations.sum()};
    }

    /** Why no write can be accepted now, or null when writes are accepted. */
    String unavailableReason() {
        EventStoreException failed = failure;
        if (failed != null) {
            return failed.getMessage();
        }
        return closing ? "the store is shutting down" : null;
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

    /** The time stamp of a write: RFC 3339 UTC with microseconds. */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
    }

    /**
     * The newest head of an aggregate that is already known without the builder: the one in flight, else the
     * committed one in the cache. May be stale by the time a write runs: only for speculation.
     *
     * @return the head; {@link #isAbsent} if it is known not to exist; null if it is not in memory
     */
    Head peek(String type, String id) {
        String key = key(type, id);
        Head head = inFlight.get(key);
        return head != null ? head : committed.get(key);
    }

    /** Whether a head returned by {@link #peek} stands for a removed aggregate. */
    static boolean isAbsent(Head head) {
        return head == Tombstone.HEAD;
    }

    /** What an operation can see and do. Only used on the builder thread. */
    final class BatchContext {
        private final WriteBatch writes = new WriteBatch();
        private final Map<String, Head> heads = new HashMap<>();
        private final List<String> removed = new ArrayList<>();
        private final List<String> idempotencyKeys = new ArrayList<>();
        private final List<Pending> accepted = new ArrayList<>();
        private final List<Object> results = new ArrayList<>();
        private final String now = Committer.now();
        // heads encoded ahead (by the caller that speculated), by identity
        private final Map<Head, byte[]> encoded = new IdentityHashMap<>();
        // What the current operation staged: its writes go straight into the batch, after the first opMark
        // (taken back if it fails); its heads, removals and idempotency keys are merged only if it succeeds.
        private int opMark;
        private final Map<String, Head> opHeads = new HashMap<>();
        private final List<String> opRemoved = new ArrayList<>();
        private final Map<String, CompletableFuture<Object>> opIdempotency = new HashMap<>();
        private long opPositionStart;
        private CompletableFuture<Object> current;
        // what to undo outside the store (a write allowance taken) if the operation, or later its batch, fails
        private final List<Runnable> opUndos = new ArrayList<>();
        private final List<Runnable> undos = new ArrayList<>();

        /**
         * Registers what undoes an effect outside the store of the current operation, run if the operation fails
         * or its batch is not written.
         */
        void onFailure(Runnable undo) {
            opUndos.add(undo);
        }

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

        /** Stages a new head whose stored form is already encoded. */
        void putHead(Head head, byte[] encodedHead) {
            if (encodedHead != null) {
                encoded.put(head, encodedHead);
            }
            putHead(head);
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
            writes.delete(Keys.head(type, id));
        }

        void put(byte[] key, byte[] value) {
            writes.put(key, value);
        }

        void delete(byte[] key) {
            writes.delete(key);
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

        private boolean isFull() {
            return accepted.size() >= MAX_BATCH || writes.sizeInBytes() > MAX_BATCH_BYTES;
        }

        private void beginOperation(CompletableFuture<Object> future) {
            current = future;
            opMark = writes.size();
            opHeads.clear();
            opRemoved.clear();
            opIdempotency.clear();
            opUndos.clear();
            opPositionStart = nextPosition;
        }

        private void commitOperation() {
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
            undos.addAll(opUndos);
        }

        private void abortOperation() {
            writes.truncate(opMark);
            nextPosition = opPositionStart;
            undo(opUndos);
        }
    }

    /** Marks a removed aggregate in the in-flight map until its removal is durable. */
    private static final class Tombstone {
        static final Head HEAD = new Head("", "", -1, null, null, false, null, null, null);
    }

    private void buildLoop() {
        List<Pending> drained = new ArrayList<>(MAX_BATCH);
        List<Batch> durable = new ArrayList<>();
        try {
            while (true) {
                Pending first = queue.take();
                drained.clear();
                drained.add(first);
                queue.drainTo(drained, MAX_BATCH - 1);
                boolean stop = drained.remove(STOP);
                durable.clear();
                drained.removeIf(p -> p.durable() != null && durable.add(p.durable()));
                if (!drained.isEmpty()) {
                    buildLock.lock();
                    try {
                        buildInto(drained);
                    } finally {
                        buildLock.unlock();
                    }
                }
                durable.forEach(this::complete);
                if (stop) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            buildLock.lock();
            try {
                stopping = true;
                work.signal();
            } finally {
                buildLock.unlock();
            }
        }
    }

    /** Runs operations into the open batch; called with the lock held. */
    private void buildInto(List<Pending> drained) throws InterruptedException {
        for (Pending pending : drained) {
            if (pending.exclusive()) {
                // It reads what earlier writes changed in the store: wait until all of them are durable, then run
                // and write it alone.
                while (open != null || syncing) {
                    taken.await();
                }
                BatchContext alone = new BatchContext();
                run(alone, pending);
                if (!alone.accepted.isEmpty()) {
                    commit(finish(alone));
                }
                continue;
            }
            while (open != null && open.isFull()) {
                taken.await(); // rare: a very large batch waits for the syncer to take it
            }
            if (open == null) {
                open = new BatchContext();
            }
            run(open, pending);
            if (open.accepted.isEmpty() && open.writes.isEmpty()) {
                open = null; // everything refused
            } else if (!syncing) {
                work.signal();
            }
            if (buildLock.hasQueuedThreads()) {
                // The syncer (or a lone writer) is waiting: let it take the batch now rather than after this chunk.
                buildLock.unlock();
                buildLock.lock();
            }
        }
    }

    private void run(BatchContext context, Pending pending) {
        if (failure != null) {
            pending.future().completeExceptionally(failure);
            return;
        }
        context.beginOperation(pending.future());
        try {
            Object result = pending.operation().apply(context);
            context.commitOperation();
            context.accepted.add(pending);
            context.results.add(result);
        } catch (EventStoreException e) {
            context.abortOperation();
            pending.future().completeExceptionally(e);
        } catch (RuntimeException e) {
            context.abortOperation();
            LOG.error("write operation failed", e);
            pending.future()
                    .completeExceptionally(new EventStoreException(
                            Code.UNAVAILABLE,
                            "the write failed unexpectedly (" + e.getClass().getSimpleName() + "); see the server log",
                            e));
        }
    }

    /** Closes a batch: encodes each touched head once and publishes the heads as in flight. */
    private Batch finish(BatchContext context) {
        for (Head head : context.heads.values()) {
            byte[] bytes = context.encoded.get(head);
            context.writes.put(Keys.head(head.type(), head.id()), bytes != null ? bytes : codec.encodeHead(head));
        }
        context.heads.forEach(inFlight::put);
        context.removed.forEach(key -> inFlight.put(key, Tombstone.HEAD));
        return new Batch(
                context.writes,
                context.accepted,
                context.results,
                context.heads,
                context.removed,
                context.idempotencyKeys,
                nextPosition - 1,
                context.undos);
    }

    private void syncLoop() {
        try {
            while (true) {
                Batch batch;
                buildLock.lock();
                try {
                    syncing = false;
                    taken.signalAll();
                    while (open == null && !stopping) {
                        work.await();
                    }
                    if (open == null) {
                        return; // stopping, and everything accepted is written
                    }
                    batch = finish(open);
                    open = null;
                    syncing = true;
                    taken.signalAll();
                } finally {
                    buildLock.unlock();
                }
                boolean written = write(batch);
                // The builder answers the callers: waking dozens of threads here would delay the next sync.
                queue.add(new Pending(null, null, false, written ? batch : EMPTY_BATCH));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void commit(Batch batch) {
        if (write(batch)) {
            complete(batch);
        }
    }

    /**
     * Writes a batch with sync and publishes its heads as committed.
     *
     * @return true if it is durable; false if it failed, and its callers were told
     */
    private boolean write(Batch batch) {
        if (failure != null) {
            undo(batch.undos());
            batch.pending().forEach(p -> p.fail(failure));
            return false;
        }
        if (!batch.writes().isEmpty()) {
            long started = System.nanoTime();
            try {
                storage.write(batch.writes(), true);
            } catch (IOException | RuntimeException e) {
                LOG.error("a write to the store failed; the store stops taking writes to protect the data", e);
                failure = unavailable(
                        "the store stopped after a failed write (" + e.getMessage() + "); restart the server");
                undo(batch.undos());
                batch.pending().forEach(p -> p.fail(failure));
                queue.forEach(p -> p.fail(failure));
                return false;
            }
            tell(batch.pending().size(), System.nanoTime() - started);
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
        publish(batch);
        return true;
    }

    /** Runs undos of effects outside the store, newest first; one that fails does not stop the others. */
    private static void undo(List<Runnable> undos) {
        if (undos.isEmpty()) {
            return;
        }
        for (int i = undos.size() - 1; i >= 0; i--) {
            try {
                undos.get(i).run();
            } catch (RuntimeException e) {
                LOG.warn("could not undo an effect of a write that was not made", e);
            }
        }
        undos.clear();
    }

    /** Tells the observer about a durable batch; an observer's failure never touches the write path. */
    private void tell(int operations, long syncNanos) {
        try {
            observer.committed(operations, syncNanos);
        } catch (RuntimeException e) {
            LOG.warn("a store observer failed; the write it was told about is durable", e);
        }
    }

    /** Answers the callers of a durable batch. */
    private void complete(Batch batch) {
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
        for (Pending p : queue) {
            if (p.durable() != null) {
                complete(p.durable()); // written after the builder stopped: still durable
            } else {
                p.fail(stopped);
            }
        }
        queue.clear();
    }
}
