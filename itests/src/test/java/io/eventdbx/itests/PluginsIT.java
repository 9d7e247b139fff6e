package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins through the launcher against real receivers: a TCP listener and an HTTP server on loopback, the seed's
 * commands, delivery in order per aggregate, nothing lost across kill -9, dead events after plugin_max_attempts and
 * their retry.
 */
class PluginsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 60 s");
            Thread.sleep(20); // polling a condition with a deadline
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private static void append(RestClient api, String token, String id, int n, List<String> acknowledged)
            throws Exception {
        RestClient.Reply reply = api.append(
                token,
                "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"" + id
                        + "\",\"event_type\":\"seen\",\"payload\":{\"n\":" + n + "}}");
        assertEquals(201, reply.status(), reply.raw());
        acknowledged.add(reply.body()
                .path("metadata")
                .path("event_id")
                .asText(reply.body().path("event_id").asText()));
    }

    @Test
    void theSeedsCommandsDeliverEveryEventInOrderAcrossKill9AndDeadEventsCanBeRetried() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        AtomicInteger httpStatus = new AtomicInteger(500);
        List<String> httpBodies = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = httpStatus.get();
            if (exchange.getRequestMethod().equals("POST") && status == 204) {
                httpBodies.add(new String(body, StandardCharsets.UTF_8));
            }
            byte[] answer = status == 204 ? new byte[0] : "receiver is down".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        http.start();
        try (TcpLineReceiver tcp = new TcpLineReceiver()) {
            assertEquals(0, dbx.run("start").exit());
            // bad input: clear errors, nothing created
            Dbx.Result noPort = dbx.run("plugin", "config", "tcp", "--name", "feed", "--host", "127.0.0.1");
            assertEquals(2, noPort.exit(), noPort.toString());
            assertTrue(noPort.err().contains("--port"), noPort.toString());
            Dbx.Result badType = dbx.run("plugin", "config", "smoke-signal", "--name", "x");
            assertEquals(2, badType.exit(), badType.toString());
            assertTrue(
                    badType.err().contains("installed types: csv, grpc, http, log, postgres, process, sqlite, tcp"),
                    badType.toString());
            Dbx.Result badPort = dbx.run("plugin", "config", "tcp", "--name", "feed", "--host", "h", "--port", "70000");
            assertEquals(2, badPort.exit(), badPort.toString());
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = s.getLocalPort();
            }
            assertEquals(
                    0,
                    dbx.run(
                                    "plugin",
                                    "config",
                                    "tcp",
                                    "--name",
                                    "nowhere",
                                    "--host",
                                    "127.0.0.1",
                                    "--port",
                                    Integer.toString(closedPort),
                                    "--disable")
                            .exit());
            Dbx.Result unreachable = dbx.run("plugin", "enable", "nowhere");
            assertEquals(1, unreachable.exit(), unreachable.toString());
            assertTrue(unreachable.err().contains("cannot connect"), unreachable.toString());
            assertEquals(0, dbx.run("plugin", "remove", "nowhere").exit());

            // the seed's commands
            Dbx.Result config = dbx.run(
                    "plugin",
                    "config",
                    "tcp",
                    "--name",
                    "feed",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(tcp.port()),
                    "--disable");
            assertEquals(0, config.exit(), config.toString());
            Dbx.Result enable = dbx.run("plugin", "enable", "feed");
            assertEquals(0, enable.exit(), enable.toString());
            assertEquals(
                    0,
                    dbx.run("plugin", "config", "log", "--name", "audit", "--level", "info")
                            .exit());
            assertEquals(
                    0,
                    dbx.run(
                                    "plugin",
                                    "config",
                                    "http",
                                    "--name",
                                    "hook",
                                    "--endpoint",
                                    "127.0.0.1:" + http.getAddress().getPort() + "/hook",
                                    "--header",
                                    "Authorization=Bearer s3cret")
                            .exit());
            Dbx.Result listed = dbx.run("plugin", "list", "--json");
            assertEquals(0, listed.exit(), listed.toString());
            assertFalse(listed.out().contains("s3cret"), "a header's secret is masked: " + listed.out());
            assertEquals(0, dbx.run("config", "--plugin-max-attempts", "2").exit());

            // appends from four writers over ten aggregates
            List<String> acknowledged = new CopyOnWriteArrayList<>();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int w = 0; w < 4; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; i < 50; i++) {
                            append(api, admin, "p-" + ((writer * 50 + i) % 10), i, acknowledged);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                t.start();
                writers.add(t);
            }
            for (Thread t : writers) {
                t.join();
            }
            assertTrue(failures.isEmpty(), failures.toString());
            await(() -> tcp.eventIds().containsAll(acknowledged), "200 events at the tcp receiver");
            assertInOrderPerAggregate(tcp.lines);
            await(() -> logContains(dbx, "aggregate=patient id=p-3 event=seen"), "the log plugin's line");

            // kill -9 while appending: every acknowledged event still arrives
            JsonNode pid = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")));
            for (int i = 0; i < 30; i++) {
                append(api, admin, "k-" + (i % 3), i, acknowledged);
            }
            new ProcessBuilder("kill", "-9", pid.path("pid").asText()).start().waitFor(10, TimeUnit.SECONDS);
            await(
                    () -> ProcessHandle.of(pid.path("pid").asLong())
                            .map(p -> !p.isAlive())
                            .orElse(true),
                    "killed");
            assertEquals(0, dbx.run("start").exit());
            for (int i = 30; i < 40; i++) {
                append(api, admin, "k-" + (i % 3), i, acknowledged);
            }
            await(() -> tcp.eventIds().containsAll(acknowledged), "every acknowledged event after kill -9");
            assertInOrderPerAggregate(tcp.lines);

            // the http receiver answered 500 all along: with plugin_max_attempts 2 its events went dead
            await(() -> queue(dbx).path("dead").asLong() >= 1, "dead events in dbx queue");
            JsonNode q = queue(dbx);
            JsonNode entry = null;
            for (JsonNode e : q.path("entries")) {
                if (entry == null && e.path("state").asText().equals("dead")) {
                    entry = e;
                }
            }
            assertTrue(entry != null, q.toString());
            String deadId = entry.path("event_id").asText();
            assertEquals("hook", entry.path("plugin").asText());
            assertTrue(entry.path("last_error").asText().startsWith("HTTP 500: receiver is down"), q.toString());
            // queue clear asks first: anything but y/yes drops nothing
            long deadBefore = q.path("dead").asLong();
            Dbx.Result declined = dbx.runWithInput("n\n", "queue", "clear");
            assertEquals(1, declined.exit(), declined.toString());
            assertTrue(declined.out().contains("[y/N]"), declined.toString());
            assertTrue(declined.err().contains("nothing cleared"), declined.toString());
            assertTrue(queue(dbx).path("dead").asLong() >= deadBefore, "declining dropped nothing");
            httpStatus.set(204);
            Dbx.Result retry = dbx.run("queue", "retry", "--event-id", deadId);
            assertEquals(0, retry.exit(), retry.toString());
            await(
                    () -> httpBodies.stream().anyMatch(b -> b.contains(deadId)),
                    "the retried event at the http receiver");
            Dbx.Result clear = dbx.runWithInput("y\n", "queue", "clear");
            assertEquals(0, clear.exit(), clear.toString());
            assertTrue(clear.out().contains("dead event(s) dropped"), clear.toString());
            assertEquals(0, queue(dbx).path("dead").asLong(), "a confirmed clear drops every dead event");
            Dbx.Result again = dbx.run("queue", "clear", "--yes");
            assertEquals(0, again.exit(), again.toString());
            assertTrue(again.out().contains("0 dead event(s) dropped"), again.toString());
            Dbx.Result test = dbx.run("plugin", "test");
            assertEquals(0, test.exit(), test.toString());
            Dbx.Result remove = dbx.run("plugin", "remove", "feed");
            assertEquals(1, remove.exit(), "an enabled plugin is not removed: " + remove);
            assertTrue(remove.err().contains("disable"), remove.toString());
        } finally {
            dbx.run("stop");
            http.stop(0);
        }
    }

    private static JsonNode queue(Dbx dbx) {
        Dbx.Result q = dbx.run("queue", "--json");
        assertEquals(0, q.exit(), q.toString());
        try {
            return JSON.readTree(q.out());
        } catch (IOException e) {
            throw new AssertionError(q.toString(), e);
        }
    }

    private static boolean logContains(Dbx dbx, String text) {
        try {
            return Files.readString(dbx.dataDir.resolve("logs/eventdbx.log")).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** At least once: a line may come again after a crash, but each aggregate's first sightings are in order. */
    private static void assertInOrderPerAggregate(List<String> lines) {
        Map<String, Long> last = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, List<Long>> firstSightings = new ConcurrentHashMap<>();
        for (String line : lines) {
            JsonNode e = parse(line);
            if (!seen.add(e.path("metadata").path("event_id").asText())) {
                continue;
            }
            String id = e.path("aggregate_id").asText();
            long version = e.path("version").asLong();
            firstSightings.computeIfAbsent(id, k -> new ArrayList<>()).add(version);
            Long before = last.put(id, version);
            assertTrue(before == null || before == version - 1, id + " out of order: " + firstSightings.get(id));
        }
    }
}
