package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery under failure, through the launcher with real receivers: kill -9 of the server twenty times while four
 * plugins deliver under load, and a receiver that is down for two minutes under load. These take minutes; CI runs
 * them on its first JDK ({@code -Deventdbx.itests.reliability=false} skips them).
 */
class PluginReliabilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static void skipUnlessWanted() {
        assumeFalse("false".equals(System.getProperty("eventdbx.itests.reliability")), "reliability itests skipped");
    }

    private static void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + seconds + " s");
            Thread.sleep(50); // polling a condition with a deadline
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    /** Writers appending until stopped; what was acknowledged (201) is kept. */
    static final class Load {
        final List<String> acknowledged = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load(RestClient api, String token, int writers, String prefix, long pauseMillis) {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    int i = 0;
                    while (running.get()) {
                        try {
                            RestClient.Reply reply = api.append(
                                    token,
                                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\""
                                            + prefix + "-" + writer + "-" + (i % 5)
                                            + "\",\"event_type\":\"seen\",\"payload\":{\"n\":"
                                            + i + "}}");
                            if (reply.status() == 201) {
                                acknowledged.add(reply.body()
                                        .path("metadata")
                                        .path("event_id")
                                        .asText());
                            }
                            i++;
                            if (pauseMillis > 0) {
                                Thread.sleep(pauseMillis);
                            }
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            // the server was killed: stop writing
                            return;
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    /** At least once: lines may repeat after a crash, but each aggregate's first sightings are in version order. */
    private static void assertInOrderPerAggregate(List<String> lines) {
        Map<String, Long> last = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (String line : lines) {
            JsonNode e = parse(line);
            if (!seen.add(e.path("metadata").path("event_id").asText())) {
                continue;
            }
            String id = e.path("aggregate_id").asText();
            long version = e.path("version").asLong();
            Long before = last.put(id, version);
            assertTrue(before == null || before == version - 1, id + " out of order: v" + before + " then v" + version);
        }
    }

    private static long serverPid(Dbx dbx) throws IOException {
        return JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")))
                .path("pid")
                .asLong();
    }

    @Test
    void kill9TwentyTimesWhileFourPluginsDeliverLosesNothing() throws Exception {
        skipUnlessWanted();
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        List<String> httpBodies = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", exchange -> {
            httpBodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        http.start();
        List<String> acknowledged = new ArrayList<>();
        try (TcpLineReceiver a = new TcpLineReceiver();
                TcpLineReceiver b = new TcpLineReceiver();
                TcpLineReceiver c = new TcpLineReceiver()) {
            assertEquals(0, dbx.run("start").exit());
            for (TcpLineReceiver r : List.of(a, b, c)) {
                assertEquals(
                        0,
                        dbx.run(
                                        "plugin",
                                        "config",
                                        "tcp",
                                        "--name",
                                        "tcp-" + r.port(),
                                        "--host",
                                        "127.0.0.1",
                                        "--port",
                                        Integer.toString(r.port()))
                                .exit());
            }
            assertEquals(
                    0,
                    dbx.run(
                                    "plugin",
                                    "config",
                                    "http",
                                    "--name",
                                    "hook",
                                    "--endpoint",
                                    "127.0.0.1:" + http.getAddress().getPort() + "/hook")
                            .exit());
            for (int round = 0; round < 20; round++) {
                if (round > 0) {
                    Dbx.Result start = dbx.run("start");
                    assertEquals(0, start.exit(), "round " + round + ": " + start);
                }
                Load load = new Load(api, admin, 4, "r" + round, 0);
                int target = acknowledged.size() + 40;
                await(() -> acknowledged.size() + load.acknowledged.size() >= target, "40 appends", 60);
                long pid = serverPid(dbx);
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
                await(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the server killed", 30);
                load.stop();
                acknowledged.addAll(load.acknowledged);
            }
            assertEquals(0, dbx.run("start").exit());
            for (TcpLineReceiver r : List.of(a, b, c)) {
                await(
                        () -> r.eventIds().containsAll(acknowledged),
                        acknowledged.size() + " acknowledged events at tcp-" + r.port(),
                        120);
                assertInOrderPerAggregate(r.lines);
            }
            await(
                    () -> {
                        Set<String> ids = new HashSet<>();
                        httpBodies.forEach(body -> ids.add(
                                parse(body).path("metadata").path("event_id").asText()));
                        return ids.containsAll(acknowledged);
                    },
                    "every acknowledged event at the http receiver",
                    120);
            assertInOrderPerAggregate(httpBodies);
        } finally {
            dbx.run("stop");
            http.stop(0);
        }
    }

    @Test
    void aReceiverDownForTwoMinutesUnderLoadGetsEverythingAfterItReturns() throws Exception {
        skipUnlessWanted();
        int outage = Integer.getInteger("eventdbx.itests.outage.seconds", 120);
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        try (TcpLineReceiver r = new TcpLineReceiver()) {
            assertEquals(0, dbx.run("start").exit());
            assertEquals(
                    0,
                    dbx.run(
                                    "plugin",
                                    "config",
                                    "tcp",
                                    "--name",
                                    "feed",
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    Integer.toString(r.port()))
                            .exit());
            Load load = new Load(api, admin, 2, "o", 20);
            await(() -> load.acknowledged.size() >= 50, "the load running", 60);
            r.down();
            long downAt = System.nanoTime();
            while (System.nanoTime() - downAt < TimeUnit.SECONDS.toNanos(outage)) {
                assertEquals(0, dbx.run("status").exit(), "the server serves on during the outage");
                Thread.sleep(5_000); // the outage lasts its time: nothing to wait for
            }
            Dbx.Result during = dbx.run("queue", "--json");
            assertEquals(
                    0, JSON.readTree(during.out()).path("dead").asInt(), "nothing dead during the outage: " + during);
            r.up();
            Thread.sleep(2_000); // some load after the return too
            load.stop();
            await(
                    () -> r.eventIds().containsAll(load.acknowledged),
                    load.acknowledged.size() + " events after the receiver returned",
                    120);
            assertInOrderPerAggregate(r.lines);
            Dbx.Result after = dbx.run("queue", "--json");
            assertEquals(0, JSON.readTree(after.out()).path("dead").asInt(), after.toString());
        } finally {
            dbx.run("stop");
        }
    }
}
