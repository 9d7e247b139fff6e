package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.itests.RestClient.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings that change live take effect at once under load, without reopening the store or failing a write. */
class LiveSettingsIT {

    @TempDir
    Path temp;

    private static long opened(Dbx dbx) throws Exception {
        return Files.readString(dbx.dataDir.resolve("logs/eventdbx.log"))
                .lines()
                .filter(line -> line.contains("event store opened"))
                .count();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 60 s");
            Thread.sleep(10); // polling a condition with a deadline
        }
    }

    @Test
    void pageSizesAndTheRestrictionModeChangeUnderLoadWithoutReopeningTheStore() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        assertEquals(0, dbx.run("schema", "create", "live", "--events", "seen").exit());
        assertEquals(0, dbx.run("start").exit());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
        Thread[] writers = new Thread[4];
        try {
            for (int w = 0; w < writers.length; w++) {
                int writer = w;
                writers[w] = new Thread(() -> {
                    int i = 0;
                    while (running.get()) {
                        try {
                            Reply reply = api.append(
                                    admin,
                                    "{\"aggregate_type\":\"live\",\"aggregate_id\":\"a-" + writer + "-" + (i++ % 20)
                                            + "\",\"event_type\":\"seen\",\"payload\":{}}");
                            if (reply.status() == 201) {
                                written.incrementAndGet();
                            } else {
                                failed.add(reply.status() + " " + reply.raw());
                            }
                        } catch (Exception e) {
                            failed.add(e.toString());
                        }
                    }
                });
                writers[w].start();
            }
            await(() -> written.get() >= 200, "the load running");
            long openedBefore = opened(dbx);
            assertEquals(1, openedBefore, "the store opened once at start");

            assertEquals(
                    0,
                    dbx.run("config", "--list-page-size", "3", "--page-limit", "500")
                            .exit());
            assertEquals(
                    3,
                    expect(200, null, api.get("/v1/aggregates", admin))
                            .body()
                            .path("items")
                            .size());
            assertEquals(0, dbx.run("config", "--restrict", "strict").exit());
            expect(
                    422,
                    "SCHEMA_VIOLATION",
                    api.append(
                            admin,
                            "{\"aggregate_type\":\"unknown\",\"aggregate_id\":\"u\",\"event_type\":\"seen\",\"payload\":{}}"));
            int after = written.get();
            await(() -> written.get() >= after + 200, "the load going on");
            running.set(false);
            for (Thread writer : writers) {
                writer.join();
            }
            assertTrue(failed.isEmpty(), "no write failed: " + failed);
            assertEquals(openedBefore, opened(dbx), "the store was not reopened");
        } finally {
            running.set(false);
            dbx.run("stop");
        }
    }
}
