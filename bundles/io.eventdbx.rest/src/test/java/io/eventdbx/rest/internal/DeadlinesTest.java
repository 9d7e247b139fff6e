package io.eventdbx.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    @Test
    void aDeadlineFiresOnceWhenDueAndNotWhenCancelled() throws Exception {
        try (Deadlines deadlines = new Deadlines("test-deadlines")) {
            CountDownLatch fired = new CountDownLatch(1);
            AtomicInteger cancelledRuns = new AtomicInteger();
            long started = System.nanoTime();
            deadlines.start(100, fired::countDown);
            Deadlines.Deadline cancelled = deadlines.start(100, cancelledRuns::incrementAndGet);
            cancelled.cancel();
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the deadline fired");
            assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(100), "not before it was due");
            assertEquals(0, deadlines.size(), "a fired deadline is gone");
            assertEquals(0, cancelledRuns.get(), "a cancelled deadline never fires");
        }
    }
}
