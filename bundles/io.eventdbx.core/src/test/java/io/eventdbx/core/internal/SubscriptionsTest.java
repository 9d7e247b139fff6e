package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.Subscription;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private final EventStoreEngine store =
            new EventStoreEngine(storage, 1000, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES);

    @AfterEach
    void close() {
        store.close();
    }

    private static AppendRequest event(String type, String id, String eventType) {
        return new AppendRequest(type, id, eventType, "{}", null, null, null, new IssuedBy("g", "u"));
    }

    /** Collects what a subscription delivers. */
    static final class Collected implements EventSink {
        final List<EventRecord> events = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> ended = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        public void deliver(EventRecord event) {
            events.add(event);
        }

        @Override
        public void ended(Throwable cause) {
            ended.set(cause);
            done.countDown();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 60 s");
            Thread.sleep(5); // polling a condition with a deadline
        }
    }

    @Test
    void aSubscriberSeesEveryEventOnceInLogOrderAcrossARestartOfItsOwnSide() throws Exception {
        int writers = 10;
        int each = 300;
        Collected first = new Collected();
        Subscription subscription = store.subscribe(1, e -> true, first);
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String id = "w-" + w;
            Thread writer = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    store.append(event("t", id, "e"));
                }
            });
            writer.start();
            threads.add(writer);
        }
        // the subscribing side restarts halfway: a new subscription continues where the old one stopped
        await(() -> first.events.size() >= writers * each / 2, "half of the events");
        subscription.close();
        assertTrue(first.done.await(10, TimeUnit.SECONDS));
        assertNull(first.ended.get(), "closed by its owner");
        Collected second = new Collected();
        Subscription resumed = store.subscribe(subscription.position(), e -> true, second);
        for (Thread writer : threads) {
            writer.join();
        }
        await(() -> first.events.size() + second.events.size() >= writers * each, "every event");
        resumed.close();
        List<EventRecord> all = new ArrayList<>(first.events);
        all.addAll(second.events);
        assertEquals(writers * each, all.size(), "each event exactly once");
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).position(), "log order with no gap");
        }
        assertEquals(writers * each + 1, resumed.position());
    }

    @Test
    void aFilterChoosesTheEventsAndPositionsStillAdvance() throws Exception {
        for (int i = 0; i < 20; i++) {
            store.append(event(i % 2 == 0 ? "order" : "patient", "a-" + (i % 3), i % 4 == 0 ? "placed" : "paid"));
        }
        Collected orders = new Collected();
        Subscription subscription = store.subscribe(
                5, e -> e.aggregateType().equals("order") && e.eventType().equals("placed"), orders);
        await(() -> subscription.position() == 21, "the end of the log");
        subscription.close();
        assertEquals(
                List.of(5L, 9L, 13L, 17L),
                orders.events.stream().map(EventRecord::position).toList());
    }

    @Test
    void aSinkHearsWhenItHasEverythingOncePerWaitAfterTheEventsBeforeIt() throws Exception {
        for (int i = 0; i < 600; i++) {
            store.append(event("order", "c-" + (i % 7), "placed"));
        }
        List<String> calls = new CopyOnWriteArrayList<>();
        Subscription subscription = store.subscribe(1, e -> true, new EventSink() {
            @Override
            public void deliver(EventRecord event) {
                calls.add("event " + event.position());
            }

            @Override
            public void caughtUp() {
                calls.add("caught up");
            }
        });
        await(() -> calls.contains("caught up"), "the catch-up");
        assertEquals(601, calls.indexOf("caught up") + 1, "after all 600 stored events, once: " + calls.size());
        store.append(event("order", "c-1", "paid"));
        await(() -> calls.size() == 603, "the live event and the next wait");
        assertEquals(List.of("event 601", "caught up"), calls.subList(601, 603));
        subscription.close();
        assertEquals(
                1,
                calls.subList(0, 601).stream()
                        .filter(c -> c.equals("caught up"))
                        .count());
    }

    @Test
    void aSlowSubscriberNeverSlowsAppendsAndCatchesUpFromTheStore() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<EventRecord> seen = new CopyOnWriteArrayList<>();
        Subscription slow = store.subscribe(1, e -> true, event -> {
            release.await(); // stuck until the appends are done
            seen.add(event);
        });
        int count = Committer.RECENT * 2 + 100; // more than the committer keeps in memory
        for (int i = 0; i < count; i++) {
            store.append(event("t", "x-" + (i % 50), "e")); // done while the subscriber is stuck on its first event
        }
        release.countDown();
        await(() -> seen.size() == count, "the slow subscriber catching up");
        slow.close();
        for (int i = 0; i < count; i++) {
            assertEquals(i + 1, seen.get(i).position());
        }
    }

    @Test
    void aFailingSinkEndsItsSubscriptionAndTheStoreEndsTheRest() throws Exception {
        store.append(event("t", "a", "e"));
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<Throwable> cause = new AtomicReference<>();
        store.subscribe(1, e -> true, new EventSink() {
            @Override
            public void deliver(EventRecord event) {
                throw new IllegalStateException("the client went away");
            }

            @Override
            public void ended(Throwable failure) {
                cause.set(failure);
                ended.countDown();
            }
        });
        assertTrue(ended.await(10, TimeUnit.SECONDS));
        assertEquals("the client went away", cause.get().getMessage());
        Collected waiting = new Collected();
        store.subscribe(1, e -> true, waiting);
        await(() -> waiting.events.size() == 1, "the first event");
        store.close();
        assertTrue(waiting.done.await(10, TimeUnit.SECONDS));
        assertEquals(EventStoreException.Code.UNAVAILABLE, ((EventStoreException) waiting.ended.get()).code());
        assertThrows(EventStoreException.class, () -> store.subscribe(1, e -> true, new Collected()));
    }
}
