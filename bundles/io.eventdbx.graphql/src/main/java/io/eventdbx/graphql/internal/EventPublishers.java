package io.eventdbx.graphql.internal;

import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.EventFilter;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.Subscription;
import io.eventdbx.token.api.Principal;
import io.eventdbx.views.RecordViews;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * The source streams of the {@code events} subscription: each is one subscription of the access service, whose own
 * thread delivers the events and waits while the GraphQL subscriber has asked for none (so a slow client holds back
 * only its own subscription, and nothing is buffered here).
 */
final class EventPublishers {

    private final EventAccess door;
    private final RecordViews views = new RecordViews(true);

    EventPublishers(EventAccess door) {
        this.door = door;
    }

    /**
     * The events from a position on, as event views.
     *
     * @param caller who subscribes
     * @param from the first position, or null for 1
     * @param filter which events
     * @return a publisher for one subscriber
     */
    Publisher<Map<String, Object>> events(Principal caller, Long from, EventFilter filter) {
        if (from != null && from < 1) {
            throw new Refusal(Refusal.Code.INVALID_ARGUMENT, "from must be 1 or more");
        }
        long first = from == null ? 1 : from;
        return subscriber -> new Flow(subscriber).start(caller, first, filter);
    }

    /** One subscriber's flow: demand counted here, events pulled by the door's subscription thread. */
    private final class Flow implements org.reactivestreams.Subscription, EventSink {
        private final Subscriber<? super Map<String, Object>> subscriber;
        private long demand; // guarded by this
        private boolean cancelled; // guarded by this
        private volatile Subscription running;

        Flow(Subscriber<? super Map<String, Object>> subscriber) {
            this.subscriber = subscriber;
        }

        void start(Principal caller, long from, EventFilter filter) {
            subscriber.onSubscribe(this);
            try {
                running = door.subscribe(caller, from, filter, this);
            } catch (RuntimeException refused) {
                subscriber.onError(refused);
                return;
            }
            synchronized (this) {
                if (!cancelled) {
                    return;
                }
            }
            running.close(); // cancelled while it started
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (n <= 0) {
                    cancelled = true; // rule 3.9: a non-positive request ends the flow
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                notifyAll();
            }
        }

        @Override
        public void cancel() {
            synchronized (this) {
                cancelled = true;
                notifyAll();
            }
            Subscription current = running;
            if (current != null) {
                current.close();
            }
        }

        @Override
        public void deliver(EventRecord event) throws InterruptedException {
            synchronized (this) {
                while (demand == 0 && !cancelled) {
                    wait();
                }
                if (cancelled) {
                    return;
                }
                demand--;
            }
            subscriber.onNext(views.event(event));
        }

        @Override
        public void ended(Throwable cause) {
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                cancelled = true;
            }
            if (cause == null) {
                subscriber.onComplete();
            } else {
                subscriber.onError(cause);
            }
        }
    }
}
