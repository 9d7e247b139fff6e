package io.eventdbx.core.internal;

import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.api.Subscription;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * The store's subscriptions to its global log. Each runs on a thread of its own and pulls: it reads from its position
 * up to the newest durable one, from the committer's memory of recent events while it keeps up and from the store when
 * it has fallen behind, a page at a time, then parks until the committer says a batch is durable. So appends never
 * wait for a subscriber, and a subscriber holds one page of events at most however far behind it is.
 */
final class Subscriptions implements AutoCloseable {

    /** The most subscriptions the store runs at once. */
    static final int MAX = 256;

    /** The most events read from the store at a time by a subscriber that has fallen behind. */
    static final int PAGE = 256;

    private final Committer committer;
    private final BiFunction<Long, Integer, List<EventRecord>> log;
    private final Set<Live> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Creates the registry.
     *
     * @param committer knows the newest durable position, keeps recent events and says when a batch is durable
     * @param log reads the store's log (from position, how many)
     */
    Subscriptions(Committer committer, BiFunction<Long, Integer, List<EventRecord>> log) {
        this.committer = committer;
        this.log = log;
    }

    Subscription subscribe(long fromPosition, Predicate<EventRecord> filter, EventSink sink) {
        if (fromPosition < 1) {
            throw new EventStoreException(Code.INVALID_ARGUMENT, "a subscription starts at position 1 or later");
        }
        if (filter == null || sink == null) {
            throw new EventStoreException(Code.INVALID_ARGUMENT, "a subscription needs a filter and a sink");
        }
        if (closed) {
            throw new EventStoreException(Code.UNAVAILABLE, "the store is shutting down");
        }
        if (live.size() >= MAX) {
            throw new EventStoreException(
                    Code.UNAVAILABLE, "the store runs " + MAX + " subscriptions already; try again later");
        }
        Live subscription = new Live(fromPosition, filter, sink, "dbx-subscription-" + ids.incrementAndGet());
        live.add(subscription);
        subscription.start();
        return subscription;
    }

    /** How many subscriptions run. */
    int size() {
        return live.size();
    }

    /** Ends every subscription (their sinks hear that the store is shutting down) and takes no new ones. */
    @Override
    public void close() {
        closed = true;
        for (Live subscription : live) {
            subscription.stop(new EventStoreException(Code.UNAVAILABLE, "the store is shutting down"));
        }
        for (Live subscription : live) {
            subscription.await();
        }
    }

    private final class Live implements Subscription {
        private final Predicate<EventRecord> filter;
        private final EventSink sink;
        private final Thread thread;
        private volatile long next;
        private volatile boolean stopped;
        private volatile Throwable stopCause;
        private Runnable unlisten;

        Live(long from, Predicate<EventRecord> filter, EventSink sink, String name) {
            this.next = from;
            this.filter = filter;
            this.sink = sink;
            this.thread = new Thread(this::run, name);
            thread.setDaemon(true);
        }

        void start() {
            unlisten = committer.onDurable(() -> LockSupport.unpark(thread));
            thread.start();
        }

        @Override
        public long position() {
            return next;
        }

        @Override
        public void close() {
            stop(null);
            if (Thread.currentThread() != thread) {
                await();
            }
        }

        void stop(Throwable cause) {
            if (!stopped) {
                stopCause = cause;
                stopped = true;
                LockSupport.unpark(thread);
            }
        }

        void await() {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void run() {
            Throwable ended = null;
            try {
                boolean toldCaughtUp = false;
                while (!stopped) {
                    long durable = committer.durablePosition();
                    if (next > durable) {
                        if (!toldCaughtUp) {
                            // once per wait: a batching sink sends what it holds (then look again before parking)
                            sink.caughtUp();
                            toldCaughtUp = true;
                            continue;
                        }
                        // woken by the next durable batch; the timeout only guards against a lost wake-up
                        LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
                        continue;
                    }
                    toldCaughtUp = false;
                    deliver(Math.min(durable, next + PAGE - 1));
                }
                ended = stopCause;
            } catch (Throwable failure) {
                ended = failure;
            } finally {
                unlisten.run();
                live.remove(this);
                try {
                    sink.ended(ended);
                } catch (RuntimeException ignored) {
                    // the sink's own end; nothing left to tell it
                }
            }
        }

        /** Delivers positions {@code next} to {@code last}: from memory while it has them, else a page from the store. */
        private void deliver(long last) throws Exception {
            while (next <= last && !stopped) {
                EventRecord event = committer.recent(next);
                if (event != null) {
                    offer(event);
                    continue;
                }
                List<EventRecord> page = log.apply(next, (int) (last - next + 1));
                if (page.isEmpty()) {
                    next = last + 1; // nothing stored there (cannot happen for durable positions): do not spin
                    return;
                }
                for (EventRecord stored : page) {
                    if (stopped) {
                        return;
                    }
                    if (stored.position() >= next) {
                        offer(stored);
                    }
                }
            }
        }

        private void offer(EventRecord event) throws Exception {
            if (filter.test(event)) {
                sink.deliver(event);
            }
            next = event.position() + 1;
        }
    }
}
