package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CommitterTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anOperationThatFailsAfterStagingWritesLeavesNoneOfThemInItsBatch() throws Exception {
        InMemoryStorageEngine storage = new InMemoryStorageEngine();
        storage.write(new io.eventdbx.store.api.WriteBatch().put(bytes("kept"), bytes("before")), true);
        ExecutorService lone = Executors.newSingleThreadExecutor();
        try (Committer committer = new Committer(storage, new Codec(new PlaintextProtector()), new HeadCache(10), 0)) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // A lone writer that holds the write path, so that the next two queue up and are built after it.
            var first = lone.submit(() -> committer.submit(context -> {
                running.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                context.put(bytes("a"), bytes("1"));
                return "a";
            }));
            assertTrue(running.await(10, TimeUnit.SECONDS), "the lone writer started");
            CompletableFuture<Object> failing = committer.submitAsync(context -> {
                context.put(bytes("b"), bytes("2"));
                context.delete(bytes("kept"));
                throw new EventStoreException(Code.CONFLICT, "refused after staging two writes");
            });
            CompletableFuture<Object> after = committer.submitAsync(context -> {
                context.put(bytes("c"), bytes("3"));
                return "c";
            });
            release.countDown();

            assertEquals("a", first.get(10, TimeUnit.SECONDS));
            ExecutionException refused =
                    assertThrows(ExecutionException.class, () -> failing.get(10, TimeUnit.SECONDS));
            EventStoreException cause = assertInstanceOf(EventStoreException.class, refused.getCause());
            assertEquals(Code.CONFLICT, cause.code());
            assertEquals("c", after.get(10, TimeUnit.SECONDS));
        } finally {
            lone.shutdownNow();
        }
        assertNull(storage.get(bytes("b")), "the refused operation's put was not written");
        assertArrayEquals(bytes("before"), storage.get(bytes("kept")), "nor its delete");
        assertArrayEquals(bytes("1"), storage.get(bytes("a")));
        assertArrayEquals(bytes("3"), storage.get(bytes("c")));
    }
}
