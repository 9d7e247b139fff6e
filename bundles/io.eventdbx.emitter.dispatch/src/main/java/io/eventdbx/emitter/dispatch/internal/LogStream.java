package io.eventdbx.emitter.dispatch.internal;

import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.EventStore;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The global log from an instance's cursor on, as a subscription feeds it: events that are committed while the
 * instance keeps up come from the committer's memory of recent events, not read back from the store (a read, a
 * decryption and a decode per event); an instance that falls behind is fed from the store by the subscription itself,
 * a page at a time. At most {@value #CAPACITY} events wait here; a full buffer holds the subscription, never the
 * appends. If the subscription ends (the store stops, or runs as many subscriptions as it allows), the stream reads
 * the log directly, as before.
 */
final class LogStream implements AutoCloseable {

    static final int CAPACITY = 2048;

    private final EventStore store;
    private final ArrayBlockingQueue<EventRecord> arrived = new ArrayBlockingQueue<>(CAPACITY);
    private final ArrayDeque<EventRecord> head = new ArrayDeque<>(); // taken from arrived, not yet consumed
    private final Subscription subscription;
    private volatile boolean closed;
    private volatile boolean ended;

    /**
     * Subscribes from a position.
     *
     * @param onArrival wakes the instance's thread
     */
    LogStream(EventStore store, long from, Runnable onArrival) {
        this.store = store;
        Subscription s;
        try {
            s = store.subscribe(from, event -> true, new EventSink() {
                @Override
                public void deliver(EventRecord event) throws InterruptedException {
                    while (!arrived.offer(event, 100, TimeUnit.MILLISECONDS)) {
                        if (closed) {
                            throw new InterruptedException("the instance stopped");
                        }
                    }
                    onArrival.run();
                }

                @Override
                public void ended(Throwable cause) {
                    ended = true;
                    onArrival.run();
                }
            });
        } catch (EventStoreException e) {
            s = null;
            ended = true;
        }
        this.subscription = s;
    }

    /**
     * Up to {@code max} events from {@code position} on, in log order; not consumed until {@link #consume}.
     *
     * @param position the instance's cursor: the position of the first event wanted
     */
    List<EventRecord> peek(long position, int max) {
        while (head.size() < max) {
            EventRecord next = arrived.poll();
            if (next == null) {
                break;
            }
            head.addLast(next);
        }
        while (!head.isEmpty() && head.peekFirst().position() < position) {
            head.pollFirst(); // already consumed through another path (a probe)
        }
        if (!head.isEmpty() && head.peekFirst().position() == position) {
            List<EventRecord> out = new ArrayList<>(Math.min(max, head.size()));
            for (EventRecord e : head) {
                if (out.size() == max) {
                    break;
                }
                out.add(e);
            }
            return out;
        }
        if (ended || (!head.isEmpty() && head.peekFirst().position() > position)) {
            // no subscription, or a gap between what it fed and the cursor: read the log itself
            long durable = store.durablePosition();
            return position > durable ? List.of() : store.log(position, (int) Math.min(max, durable - position + 1));
        }
        return List.of();
    }

    /** The events up to and including {@code position} are done with. */
    void consumeThrough(long position) {
        while (!head.isEmpty() && head.peekFirst().position() <= position) {
            head.pollFirst();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (subscription != null) {
            subscription.close();
        }
    }
}
