package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventdbx.itests.RestClient.Reply;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST bundle is stopped, started and updated in a running server under a steady load of appends: the store
 * and the other surfaces go on, requests meanwhile fail cleanly, and no append is lost, doubled or half-written.
 */
class RestRedeployIT {

    private static final int WRITERS = 4;

    @TempDir
    Path temp;

    @Test
    void restBundleRestartsAndUpdatesUnderLoad() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        assertEquals(0, dbx.run("start").exit());
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        try {
            api.awaitStatus("/health", null, 200);
            String token = token(dbx, "--group", "load", "--user", "w");
            AtomicInteger acked = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            Map<String, Long> ackedVersions = new ConcurrentHashMap<>();
            Set<String> unanswered = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<String> unclean = new ConcurrentLinkedQueue<>();
            for (int w = 0; w < WRITERS; w++) {
                String aggregate = "r-" + w;
                Thread writer = new Thread(() -> {
                    for (int n = 0; running.get(); n++) {
                        String key = aggregate + "-" + n;
                        try {
                            Reply reply = api.append(token, event(aggregate), "Idempotency-Key", key);
                            if (reply.status() == 201) {
                                ackedVersions.put(
                                        key, reply.body().path("version").asLong());
                                acked.incrementAndGet();
                            } else {
                                unanswered.add(key);
                                refused.incrementAndGet();
                                // while the REST servlet is away: a JSON 503 with Retry-After; never a 404, a 500
                                // or another 4xx
                                if (reply.status() != 503
                                        || !reply.body().path("code").asText().equals("UNAVAILABLE")) {
                                    unclean.add(key + ": " + reply.status() + " " + reply.raw());
                                }
                            }
                        } catch (IOException e) {
                            unanswered.add(key); // the connection went away mid-request: outcome unknown
                            refused.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                writer.start();
                writers.add(writer);
            }
            await(() -> acked.get() >= 40, "appends before the restart");

            // stop: the REST servlet goes, the store, the control socket and the metrics servlet stay
            assertEquals(0, dbx.run("bundle", "stop", "io.eventdbx.rest").exit());
            api.awaitStatus("/health", null, 503);
            int refusedBefore = refused.get();
            await(() -> refused.get() >= refusedBefore + 20, "requests refused while stopped");
            assertEquals(200, api.get("/metrics", token).status(), "the metrics servlet still answers");
            Dbx.Result list = dbx.run("aggregate", "list", "--json");
            assertEquals(0, list.exit(), "the store still answers on the control socket: " + list);

            // start again, then update in place (stop, new revision, start) with the load still running
            assertEquals(0, dbx.run("bundle", "start", "io.eventdbx.rest").exit());
            api.awaitStatus("/health", null, 200);
            int ackedBefore = acked.get();
            await(() -> acked.get() >= ackedBefore + 40, "appends after the restart");
            Dbx.Result update = dbx.run("bundle", "update", "io.eventdbx.rest");
            assertEquals(0, update.exit(), update.toString());
            assertEquals(0, dbx.run("bundle", "refresh").exit());
            api.awaitStatus("/health", null, 200);
            int ackedAfterUpdate = acked.get();
            await(() -> acked.get() >= ackedAfterUpdate + 40, "appends after the update");
            running.set(false);
            for (Thread writer : writers) {
                writer.join(30_000);
            }
            assertTrue(
                    unclean.isEmpty(),
                    "unclean refusals: " + unclean + "\n--- server log\n"
                            + java.nio.file.Files.readString(dbx.dataDir.resolve("logs/eventdbx.log")));

            // an append whose answer was lost is retried with its key: written once, whatever happened before
            for (String key : unanswered) {
                String aggregate = key.substring(0, key.lastIndexOf('-'));
                Reply retry = api.append(token, event(aggregate), "Idempotency-Key", key);
                assertEquals(201, retry.status(), retry.raw());
                ackedVersions.put(key, retry.body().path("version").asLong());
            }

            for (int w = 0; w < WRITERS; w++) {
                String aggregate = "r-" + w;
                Reply events = api.get("/v1/aggregates/load/" + aggregate + "/events?take=100000", token);
                assertEquals(200, events.status(), events.raw());
                Map<String, Long> stored = new HashMap<>();
                Set<String> ids = new HashSet<>();
                long expected = 1;
                for (JsonNode event : events.body()) {
                    assertEquals(expected++, event.path("version").asLong(), "versions are contiguous");
                    String id = event.path("metadata").path("event_id").asText();
                    assertTrue(ids.add(id), "event " + id + " written twice");
                    stored.put(id, event.path("version").asLong());
                }
                ackedVersions.forEach((key, version) -> {
                    if (key.startsWith(aggregate + "-")) {
                        assertEquals(version, stored.get(key), "acknowledged " + key + " is stored as answered");
                    }
                });
                long attempted = ackedVersions.keySet().stream()
                        .filter(k -> k.startsWith(aggregate + "-"))
                        .count();
                assertEquals(attempted, stored.size(), "every stored event was an attempted append");
                Reply verify = api.get("/v1/aggregates/load/" + aggregate + "/verify", token);
                assertTrue(verify.body().path("ok").asBoolean(), verify.raw());
            }
            assertNotEquals(0, unanswered.size(), "the load saw the restart");
        } finally {
            running.set(false);
            for (Thread writer : writers) {
                writer.join(30_000);
            }
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    private static String event(String aggregate) {
        return "{\"aggregate_type\":\"load\",\"aggregate_id\":\"" + aggregate
                + "\",\"event_type\":\"tick\",\"payload\":{\"n\":1}}";
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20); // polling a condition with a deadline
        }
    }
}
