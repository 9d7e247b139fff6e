package io.eventdbx.emitter.dispatch.internal;

import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStore;
import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.Envelope;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin instance's delivery: a thread of its own that follows the global log from the instance's cursor and
 * hands envelopes to its emitter. Everything here but the volatile fields is owned by that thread; other threads
 * ask it through {@link #call}. Order per aggregate: once an event of an aggregate waits for a retry, the later
 * events of that aggregate wait behind it in the queue (as jobs), and other aggregates go on. A receiver that answers
 * "retry" costs the event an attempt, and the instance takes no new events for a second; a receiver that cannot be
 * reached at all costs nothing: the cursor stops, nothing is retried, and one event is offered as a probe with
 * backoff (0.5 s doubling to 15 s) until it answers, when everything waiting is due at once. The log keeps what the
 * instance has not looked at yet (the log is the outbox), so memory stays bounded: at most {@value #MAX_PENDING} jobs
 * wait in memory, and the cursor stops while the queue is full.
 */
final class Instance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Instance.class);
    static final int MAX_PENDING = 100_000;
    static final int BATCH = 512;
    /** After a new event failed, how long the instance takes no new events (at most its first retry's delay). */
    static final long INTAKE_PAUSE_MILLIS = 1_000;

    static final long PROBE_FIRST_MILLIS = 500;
    static final long PROBE_MAX_MILLIS = 15_000;

    private static final int MAX_REASON = 256;

    private final String name;
    private final EventStore store;
    private final QueueStore queue;
    private final Envelopes envelopes;
    private final Supplier<Settings> settings;
    private final boolean deliver;
    private final Thread thread;
    private final ConcurrentLinkedQueue<FutureTask<?>> commands = new ConcurrentLinkedQueue<>();

    private volatile Emitter emitter; // null: its type is not installed, or its options do not fit it
    private volatile boolean enabled;
    private volatile boolean running = true;
    private volatile boolean signalled;
    private volatile boolean parked;
    private volatile boolean loaded;
    // what list() shows, written by the thread
    private volatile long shownPosition;
    private volatile long shownPending;
    private volatile long shownDead;
    private volatile String lastError;
    private volatile boolean failing;

    // owned by the thread
    private Emitter opened;
    private long position;
    private LogStream stream; // where new events come from (deliver mode only)
    private final TreeMap<Long, Job> pending = new TreeMap<>();
    private final Map<String, Integer> blocked = new HashMap<>();
    private long dead;
    private long intakePausedUntil;
    // the receiver could not be reached: no new events are taken and nothing is retried; one event is offered as a
    // probe every probeDelay (doubling to PROBE_MAX_MILLIS), costing no attempt, until the receiver answers
    private boolean unreachable;
    private long probeAt;
    private long probeDelay = PROBE_FIRST_MILLIS;

    Instance(
            String name,
            boolean enabled,
            EventStore store,
            QueueStore queue,
            Envelopes envelopes,
            Supplier<Settings> settings,
            boolean deliver) {
        this.name = name;
        this.enabled = enabled;
        this.store = store;
        this.queue = queue;
        this.envelopes = envelopes;
        this.settings = settings;
        this.deliver = deliver;
        this.thread = new Thread(this::run, "dbx-plugin-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    String name() {
        return name;
    }

    boolean enabled() {
        return enabled;
    }

    void setEnabled(boolean flag) {
        enabled = flag;
        signal();
    }

    Emitter emitter() {
        return emitter;
    }

    /** Gives the instance a new emitter (or none) and closes the one it had. */
    void setEmitter(Emitter next) {
        Emitter previous = emitter;
        emitter = next;
        if (previous != null && previous != next) {
            // closed here, not on the instance's thread: a hanging delivery must not keep a departing bundle's
            // emitter alive; closing its connection ends that delivery, which then counts as a retry
            closeQuietly(previous);
        }
        signal();
    }

    long position() {
        return shownPosition;
    }

    long pendingCount() {
        return shownPending;
    }

    long deadCount() {
        return shownDead;
    }

    String lastError() {
        return lastError;
    }

    boolean failing() {
        return failing;
    }

    boolean loaded() {
        return loaded;
    }

    /** Wakes the thread: new events are durable, or something changed. */
    void signal() {
        signalled = true;
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    /** Runs a task on the instance's thread (which owns the queue in memory) and waits for it. */
    <T> T call(Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        commands.add(future);
        signal();
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for plugin " + name);
        } catch (TimeoutException e) {
            throw new IllegalStateException("plugin " + name + " did not answer within 30 s (a delivery hangs)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public void close() {
        running = false;
        setEmitter(null);
        LockSupport.unpark(thread);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ the thread

    private void run() {
        try {
            load();
        } catch (IOException | RuntimeException e) {
            lastError = "cannot read its queue: " + e.getMessage();
            LOG.error("plugin {}: cannot read its cursor and queue; it does not deliver", name, e);
            return;
        }
        if (deliver) {
            stream = new LogStream(store, position, this::signal);
        }
        try {
            loop();
        } finally {
            if (stream != null) {
                stream.close();
            }
        }
    }

    private void loop() {
        while (running) {
            runCommands();
            boolean worked = false;
            long wakeAt = Long.MAX_VALUE;
            Emitter current = emitter;
            if (deliver && enabled && current != null) {
                try {
                    ready(current);
                    if (unreachable) {
                        worked |= probe(current);
                    } else {
                        worked |= retryDue(current);
                        worked |= takeNew(current);
                    }
                } catch (Exception e) {
                    lastError = (opened != current ? "cannot start: " : "delivery stopped: ") + e.getMessage();
                    failing = true;
                    LOG.warn("plugin {}: {}", name, lastError);
                    wakeAt = System.currentTimeMillis() + 1_000;
                }
                wakeAt = Math.min(wakeAt, nextDue());
            }
            publish();
            if (!worked) {
                await(wakeAt);
            }
        }
    }

    private void load() throws IOException {
        long cursor = queue.cursor(name);
        if (cursor < 0) {
            // a new instance starts with the events committed from now on
            cursor = store.durablePosition() + 1;
            WriteBatch batch = new WriteBatch();
            queue.putCursor(batch, name, cursor);
            queue.write(batch);
        }
        position = cursor;
        for (Job job : queue.jobs(name)) {
            if (job.dead) {
                dead++;
            } else {
                addPending(job);
            }
        }
        loaded = true;
        publish();
    }

    private void publish() {
        shownPosition = position;
        shownPending = pending.size();
        shownDead = dead;
    }

    private void runCommands() {
        for (FutureTask<?> task = commands.poll(); task != null; task = commands.poll()) {
            task.run();
        }
        publish();
    }

    private void await(long wakeAtMillis) {
        parked = true;
        try {
            if (!signalled && running) {
                long now = System.currentTimeMillis();
                long wait = wakeAtMillis == Long.MAX_VALUE ? TimeUnit.SECONDS.toMillis(5) : wakeAtMillis - now;
                if (wait > 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(wait, 5_000)));
                }
            }
        } finally {
            parked = false;
            signalled = false;
        }
    }

    private long nextDue() {
        if (unreachable) {
            return probeAt;
        }
        long due = Long.MAX_VALUE;
        Map<String, Boolean> seen = new HashMap<>();
        for (Job job : pending.values()) {
            if (seen.putIfAbsent(job.aggregateKey(), Boolean.TRUE) == null) {
                due = Math.min(due, job.nextAttemptMillis);
            }
        }
        if (pending.size() < MAX_PENDING && intakePausedUntil > System.currentTimeMillis()) {
            due = Math.min(due, intakePausedUntil);
        }
        return due;
    }

    /** Tries the jobs that are due and first of their aggregate. */
    private boolean retryDue(Emitter current) throws IOException {
        if (pending.isEmpty()) {
            return false;
        }
        long now = System.currentTimeMillis();
        boolean worked = false;
        Map<String, Boolean> seen = new HashMap<>();
        WriteBatch batch = new WriteBatch();
        Iterator<Job> it = new ArrayList<>(pending.values()).iterator();
        while (it.hasNext() && running && emitter == current) {
            Job job = it.next();
            if (seen.putIfAbsent(job.aggregateKey(), Boolean.TRUE) != null || job.nextAttemptMillis > now) {
                continue; // waits behind an earlier event of its aggregate, or not due yet
            }
            worked = true;
            List<EventRecord> found = store.log(job.position, 1);
            if (found.isEmpty() || !found.get(0).eventId().equals(job.eventId)) {
                removePending(job);
                queue.deleteJob(batch, name, job.position); // the event is gone (its aggregate was removed)
                continue;
            }
            Delivery result = send(current, List.of(envelopes.of(found.get(0))));
            if (result.outcome() == Delivery.Outcome.UNREACHABLE) {
                lostReceiver(result.reason());
                break; // nothing is retried until a probe gets through; this costs the event no attempt
            }
            job.attempts++;
            if (result.outcome() == Delivery.Outcome.DELIVERED && result.delivered() >= 1) {
                removePending(job);
                queue.deleteJob(batch, name, job.position);
                seen.remove(job.aggregateKey()); // the next job of the aggregate may go now, in this pass
                recovered(now);
            } else {
                fail(job, result, batch);
                if (!job.dead) {
                    continue;
                }
                seen.remove(job.aggregateKey());
            }
        }
        queue.write(batch);
        return worked;
    }

    /** Looks at the next durable events after the cursor. */
    private boolean takeNew(Emitter current) throws IOException {
        if (pending.size() >= MAX_PENDING || System.currentTimeMillis() < intakePausedUntil) {
            return false;
        }
        List<EventRecord> events = stream.peek(position, BATCH);
        if (events.isEmpty()) {
            return false;
        }
        WriteBatch batch = new WriteBatch();
        List<Envelope> chunk = new ArrayList<>();
        int i = 0;
        while (i < events.size() && running && emitter == current) {
            chunk.clear();
            int j = i;
            while (j < events.size() && (blocked.isEmpty() || !blocked.containsKey(key(events.get(j))))) {
                chunk.add(envelopes.of(events.get(j)));
                j++;
            }
            if (chunk.isEmpty()) {
                Job waiting = job(events.get(i)); // behind an earlier event of its aggregate
                waiting.nextAttemptMillis = 0;
                addPending(waiting);
                queue.putJob(batch, name, waiting);
                i++;
                continue;
            }
            Delivery result = send(current, chunk);
            int delivered = Math.min(result.delivered(), chunk.size());
            i += delivered;
            if (result.outcome() == Delivery.Outcome.DELIVERED && delivered > 0) {
                recovered(System.currentTimeMillis());
                continue;
            }
            if (result.outcome() == Delivery.Outcome.DELIVERED) {
                result = Delivery.retry(0, null, "the plugin took none of the events offered");
            }
            if (result.outcome() == Delivery.Outcome.UNREACHABLE) {
                lostReceiver(result.reason()); // the cursor stays here: the log keeps the rest, no job is made
                break;
            }
            Job failed = job(events.get(i));
            failed.attempts = 1;
            fail(failed, result, batch);
            i++;
            if (result.outcome() == Delivery.Outcome.RETRY) {
                // take no new events for a moment: the receiver is likely down; the next new event then probes it
                intakePausedUntil =
                        Math.min(failed.nextAttemptMillis, System.currentTimeMillis() + INTAKE_PAUSE_MILLIS);
                break;
            }
        }
        if (i > 0) {
            position = events.get(i - 1).position() + 1;
            queue.putCursor(batch, name, position);
            stream.consumeThrough(position - 1);
        }
        queue.write(batch);
        return i > 0;
    }

    /** A delivery got through: the instance is no longer failing. */
    private void recovered(long now) {
        failing = false;
    }

    /** The receiver could not be reached: stop taking and retrying events, and probe it with backoff. */
    private void lostReceiver(String reason) {
        lastError = reason == null ? "the receiver cannot be reached" : reason;
        failing = true;
        if (!unreachable) {
            unreachable = true;
            probeDelay = PROBE_FIRST_MILLIS;
            LOG.warn("plugin {}: its receiver cannot be reached ({}); events wait in the log", name, lastError);
        } else {
            probeDelay = Math.min(probeDelay * 2, PROBE_MAX_MILLIS);
        }
        probeAt = System.currentTimeMillis()
                + probeDelay
                - (long) (probeDelay * 0.25 * ThreadLocalRandom.current().nextDouble());
    }

    /**
     * Offers one event to a receiver that could not be reached: the oldest waiting job, else the next new event.
     * Unreachable again: the next probe after a longer delay, no attempt counted. Any answer: the receiver is back,
     * every waiting job is due now (their backoff was for a receiver that was away), and delivery goes on.
     */
    private boolean probe(Emitter current) throws IOException {
        long now = System.currentTimeMillis();
        if (now < probeAt) {
            return false;
        }
        Job job = pending.isEmpty() ? null : pending.firstEntry().getValue();
        EventRecord event;
        if (job != null) {
            List<EventRecord> found = store.log(job.position, 1);
            if (found.isEmpty() || !found.get(0).eventId().equals(job.eventId)) {
                WriteBatch gone = new WriteBatch();
                removePending(job);
                queue.deleteJob(gone, name, job.position);
                queue.write(gone);
                return true;
            }
            event = found.get(0);
        } else {
            List<EventRecord> next = stream.peek(position, 1);
            if (next.isEmpty()) {
                unreachable = false; // nothing to probe with: the next event will tell
                return false;
            }
            event = next.get(0);
        }
        Delivery result = send(current, List.of(envelopes.of(event)));
        if (result.outcome() == Delivery.Outcome.UNREACHABLE) {
            lostReceiver(result.reason());
            return true;
        }
        LOG.info("plugin {}: its receiver answers again", name);
        unreachable = false;
        for (Job waiting : pending.values()) {
            waiting.nextAttemptMillis = Math.min(waiting.nextAttemptMillis, now);
        }
        WriteBatch batch = new WriteBatch();
        boolean delivered = result.outcome() == Delivery.Outcome.DELIVERED && result.delivered() >= 1;
        if (job != null) {
            job.attempts++;
            if (delivered) {
                removePending(job);
                queue.deleteJob(batch, name, job.position);
                recovered(now);
            } else {
                fail(job, result, batch);
            }
        } else {
            if (!delivered) {
                Job failed = job(event);
                failed.attempts = 1;
                fail(failed, result, batch);
            } else {
                recovered(now);
            }
            position = event.position() + 1;
            queue.putCursor(batch, name, position);
            stream.consumeThrough(event.position());
        }
        queue.write(batch);
        return true;
    }

    /** Opens an emitter the first time this thread uses it; only on the instance's thread. */
    Emitter ready(Emitter current) throws Exception {
        if (current != null && current != opened) {
            current.open();
            opened = current;
        }
        return current;
    }

    /** Records a failed attempt: a retry later, or dead. */
    private void fail(Job job, Delivery result, WriteBatch batch) {
        String reason = result.reason() == null ? "failed without a reason" : result.reason();
        job.lastError = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        lastError = job.lastError;
        failing = true;
        Settings s = settings.get();
        boolean wasPending = pending.containsKey(job.position);
        if (result.outcome() == Delivery.Outcome.FAILED || job.attempts >= s.maxAttempts()) {
            job.dead = true;
            job.nextAttemptMillis = 0;
            if (wasPending) {
                removePending(job);
            }
            dead++;
            LOG.warn(
                    "plugin {}: event {} ({}/{} v{}) is dead after {} attempt(s): {}",
                    name,
                    job.eventId,
                    job.aggregateType,
                    job.aggregateId,
                    job.version,
                    job.attempts,
                    job.lastError);
        } else {
            long delay = result.retryAfter() != null
                    ? result.retryAfter().toMillis()
                    : s.delayMillis(job.attempts, ThreadLocalRandom.current().nextDouble());
            job.nextAttemptMillis = System.currentTimeMillis() + delay;
            if (!wasPending) {
                addPending(job);
            }
        }
        queue.putJob(batch, name, job);
    }

    private Delivery send(Emitter current, List<Envelope> batch) {
        try {
            Delivery result = current.deliver(List.copyOf(batch));
            return result == null ? Delivery.retry(0, null, "the plugin answered nothing") : result;
        } catch (RuntimeException e) {
            return Delivery.retry(
                    0,
                    null,
                    "the plugin failed: "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    private Job job(EventRecord event) {
        return new Job(event.position(), event.eventId(), event.aggregateType(), event.aggregateId(), event.version());
    }

    private static String key(EventRecord event) {
        return event.aggregateType() + '\u0000' + event.aggregateId();
    }

    private void addPending(Job job) {
        if (pending.putIfAbsent(job.position, job) == null) {
            blocked.merge(job.aggregateKey(), 1, Integer::sum);
        }
    }

    private void removePending(Job job) {
        if (pending.remove(job.position) != null) {
            blocked.computeIfPresent(job.aggregateKey(), (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    // ------------------------------------------------------------------ commands (run on the thread)

    /** Queues stored events again (replay): due now, behind nothing but earlier events of their aggregate. */
    long replay(List<EventRecord> events) throws IOException {
        if (pending.size() + events.size() > MAX_PENDING) {
            throw new IllegalArgumentException("replaying " + events.size() + " events would queue more than "
                    + MAX_PENDING + " for plugin " + name + "; replay fewer aggregates at a time");
        }
        WriteBatch batch = new WriteBatch();
        long queued = 0;
        for (EventRecord event : events) {
            if (pending.containsKey(event.position())) {
                continue;
            }
            Job job = job(event);
            job.nextAttemptMillis = 0;
            addPending(job);
            queue.putJob(batch, name, job);
            queued++;
        }
        queue.write(batch);
        publish();
        signal();
        return queued;
    }

    /** Makes dead jobs pending again, due now. */
    int retryDead(String eventId) throws IOException {
        WriteBatch batch = new WriteBatch();
        int revived = 0;
        for (Job job : queue.jobs(name)) {
            if (!job.dead || (eventId != null && !eventId.equals(job.eventId))) {
                continue;
            }
            job.dead = false;
            job.attempts = 0;
            job.nextAttemptMillis = 0;
            addPending(job);
            queue.putJob(batch, name, job);
            dead--;
            revived++;
        }
        queue.write(batch);
        publish();
        return revived;
    }

    /** Drops dead jobs. */
    int clearDead() throws IOException {
        WriteBatch batch = new WriteBatch();
        int cleared = 0;
        for (Job job : queue.jobs(name)) {
            if (job.dead) {
                queue.deleteJob(batch, name, job.position);
                cleared++;
            }
        }
        queue.write(batch);
        dead -= cleared;
        publish();
        return cleared;
    }

    private static void closeQuietly(Emitter emitter) {
        try {
            emitter.close();
        } catch (RuntimeException e) {
            LOG.warn("closing a plugin's emitter failed: {}", e.toString());
        }
    }
}
