package io.eventdbx.rest.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deadlines for request bodies, kept cheap for the common case that a body arrives at once: starting and ending one
 * touches a concurrent map and wakes no thread (a scheduled task per request woke the timer thread twice, which cost
 * a sequential client about a fifth of its CPU per append). One thread looks every {@link #TICK_MILLIS} for the ones
 * that are due; so a deadline fires up to that much late, which is nothing against its 30 s.
 */
final class Deadlines implements AutoCloseable {

    /** How often the due deadlines are looked for. */
    static final long TICK_MILLIS = 250;

    /** A started deadline: end it once what it guards is done. */
    interface Deadline {
        /** Ends the deadline: it will not fire. */
        void cancel();
    }

    private record Entry(long dueNanos, Runnable onTimeout) {}

    private final Map<Long, Entry> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread sweeper;
    private volatile boolean closed;

    Deadlines(String threadName) {
        this.sweeper = new Thread(this::sweep, threadName);
        sweeper.setDaemon(true);
        sweeper.start();
    }

    /**
     * Starts a deadline.
     *
     * @param millis how long until it fires
     * @param onTimeout what runs when it fires (on the sweeper's thread: must not block)
     * @return the deadline, to cancel
     */
    Deadline start(long millis, Runnable onTimeout) {
        long id = ids.incrementAndGet();
        pending.put(id, new Entry(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), onTimeout));
        return () -> pending.remove(id);
    }

    /** How many deadlines are running (for tests). */
    int size() {
        return pending.size();
    }

    private void sweep() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS); // a coarse tick is the point: nothing wakes this thread per request
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            pending.forEach((id, entry) -> {
                if (now - entry.dueNanos() >= 0 && pending.remove(id) != null) {
                    try {
                        entry.onTimeout().run();
                    } catch (RuntimeException ignored) {
                        // one failing timeout must not stop the others
                    }
                }
            });
        }
    }

    /** Stops the sweeper; running deadlines no longer fire. */
    @Override
    public void close() {
        closed = true;
        sweeper.interrupt();
        try {
            sweeper.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pending.clear();
    }
}
