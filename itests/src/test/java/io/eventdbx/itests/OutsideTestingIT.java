package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.itests.RestClient.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defects that outside testing found (Schemathesis, a bad-input corpus over raw sockets, an auth matrix, kill -9
 * under load), each reproduced here as it was reported: inexact decimals, slow bodies that starve the server, lax
 * JSON, HTML answers while starting and from the container, malformed chunked bodies, idempotent retries that cost
 * write allowance, and the launcher's lows.
 */
class OutsideTestingIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static String event(String id, String payload) {
        return "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"" + id + "\",\"event_type\":\"seen\",\"payload\":"
                + payload + "}";
    }

    /** Sends raw bytes and reads until the server closes or goes quiet; the answer as text. */
    private static String raw(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                    if (complete(answer.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (SocketTimeoutException quiet) {
                // what came is the answer
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /** Whether a raw HTTP answer has its headers and its whole Content-Length body. */
    private static boolean complete(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher length =
                java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(answer.substring(0, end));
        return length.find() && answer.length() - end - 4 >= Integer.parseInt(length.group(1));
    }

    /** Asserts that a raw answer has the status and a JSON {code, message} body with the code. */
    private static void jsonError(String answer, int status, String code) throws IOException {
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.contains("content-type: application/json"), answer);
        JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals(code, body.path("code").asText(), answer);
        assertFalse(body.path("message").asText().isBlank(), answer);
    }

    @Test
    void inputIsTakenExactlyOrRefusedWithJson() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        String limited = token(dbx, "--group", "ops", "--user", "batch", "--limit", "2");
        assertEquals(0, dbx.run("start").exit());
        try {
            // D4: decimals are kept as sent, over REST and the launcher; the hash covers those digits
            String big = "12345678901234567890.5";
            String pi = "3.141592653589793238462643383279";
            String tiny = "0." + "0".repeat(399) + "1";
            String huge = "1" + "0".repeat(400);
            expect(
                    201,
                    null,
                    api.append(
                            admin,
                            event("exact", "{\"big\":" + big + ",\"pi\":" + pi + ",\"tiny\":1e-400,\"huge\":1e400}")));
            Reply stored = api.get("/v1/aggregates/patient/exact/events", admin);
            expect(200, null, stored);
            for (String digits : List.of(big, pi, tiny, huge)) {
                assertTrue(
                        stored.raw().contains(":" + digits + ",")
                                || stored.raw().contains(":" + digits + "}"),
                        digits + " in " + stored.raw());
            }
            assertTrue(
                    api.get("/v1/aggregates/patient/exact/verify", admin).raw().contains("\"ok\":true"));
            Reply outOfRange =
                    expect(400, "INVALID_ARGUMENT", api.append(admin, event("exact", "{\"n\":{\"deep\":[1,1e2000]}}")));
            assertTrue(outOfRange.body().path("message").asText().contains("'n.deep[1]'"), outOfRange.raw());
            Dbx.Result cli = dbx.run(
                    "aggregate",
                    "apply",
                    "patient",
                    "cli",
                    "seen",
                    "--payload",
                    "{\"big\":" + big + ",\"huge\":1e400}",
                    "--json");
            assertEquals(0, cli.exit(), cli.toString());
            assertTrue(cli.out().replaceAll("\\s", "").contains("\"big\":" + big), cli.out());
            assertTrue(cli.out().replaceAll("\\s", "").contains("\"huge\":" + huge), cli.out());

            // D3: one JSON document, no duplicate member names, exactly application/json
            for (String lax : List.of(
                    event("lax", "{}") + " xyz",
                    event("lax", "{}") + event("lax", "{}"),
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"lax\",\"aggregate_id\":\"other\","
                            + "\"event_type\":\"seen\",\"payload\":{}}",
                    event("lax", "{\"x\":1,\"x\":2}"))) {
                expect(400, "INVALID_ARGUMENT", api.append(admin, lax));
            }
            expect(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    api.send(
                            "POST",
                            "/v1/events",
                            admin,
                            "application/jsonx",
                            event("lax", "{}").getBytes(StandardCharsets.UTF_8)));
            expect(
                    201,
                    null,
                    api.send(
                            "POST",
                            "/v1/events",
                            admin,
                            "Application/JSON; charset=utf-8",
                            event("typed", "{}").getBytes(StandardCharsets.UTF_8)));
            expect(404, "NOT_FOUND", api.get("/v1/aggregates/patient/lax", admin));
            expect(404, "NOT_FOUND", api.get("/v1/aggregates/patient/other", admin));

            // D12: an empty event id says so
            Reply emptyId = expect(
                    400,
                    "INVALID_ARGUMENT",
                    api.append(admin, event("ids", "{}").replace("}}", "},\"event_id\":\"\"}")));
            assertFalse(emptyId.body().path("message").asText().contains("required"), emptyId.raw());
            Reply emptyKey =
                    expect(400, "INVALID_ARGUMENT", api.append(admin, event("ids", "{}"), "Idempotency-Key", ""));
            assertTrue(emptyKey.body().path("message").asText().contains("Idempotency-Key"), emptyKey.raw());

            // D9: a retry returns its original record, costs nothing, and is answered when the allowance is spent
            Reply first = expect(201, null, api.append(limited, event("retry", "{}"), "Idempotency-Key", "x-1"));
            Reply again = expect(201, null, api.append(limited, event("retry", "{}"), "Idempotency-Key", "x-1"));
            assertEquals(first.body(), again.body());
            expect(201, null, api.append(limited, event("retry", "{}"), "Idempotency-Key", "y-1"));
            expect(403, "FORBIDDEN", api.append(limited, event("retry", "{}"), "Idempotency-Key", "z-1"));
            Reply late = expect(201, null, api.append(limited, event("retry", "{}"), "Idempotency-Key", "y-1"));
            assertEquals(2, late.body().path("version").asLong(), late.raw());
            Dbx.Result cliRetry = dbx.run(
                    "aggregate",
                    "apply",
                    "patient",
                    "retry",
                    "seen",
                    "--event-id",
                    "x-1",
                    "--token",
                    limited,
                    "--json");
            assertEquals(0, cliRetry.exit(), cliRetry.toString());
            assertEquals(1, JSON.readTree(cliRetry.out()).path("version").asLong(), cliRetry.out());

            // D10: what the container answers itself is JSON too
            int port = dbx.httpPort;
            jsonError(
                    raw(port, ("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes()),
                    414,
                    "URI_TOO_LONG");
            jsonError(
                    raw(
                            port,
                            ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                                    .getBytes()),
                    431,
                    "HEADERS_TOO_LARGE");
            jsonError(
                    raw(port, "GET /health HTTP/9.9\r\nHost: x\r\n\r\n".getBytes()), 505, "HTTP_VERSION_NOT_SUPPORTED");
            jsonError(
                    raw(
                            port,
                            ("GET /v1/aggregates/a/b%2fc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin
                                            + "\r\n\r\n")
                                    .getBytes()),
                    400,
                    "INVALID_ARGUMENT");
            expect(404, "NOT_FOUND", api.get("/v2/nothing", admin));

            // D7: a malformed chunked body is a 400 and one log line, not a 200 and a stack trace
            long logBefore = Files.size(dbx.dataDir.resolve("logs/eventdbx.log"));
            for (String path : List.of("/v1/events", "/v1/aggregates/patient/exact/snapshot")) {
                String answer = raw(
                        port,
                        ("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin
                                        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                        + "5\r\n{\"com\r\nZZ\r\n")
                                .getBytes());
                jsonError(answer, 400, "INVALID_ARGUMENT");
            }
            expect(200, null, api.get("/v1/aggregates/patient/exact", admin)); // nothing was snapshotted or written
            assertEquals(
                    1,
                    api.get("/v1/aggregates/patient/exact", admin)
                            .body()
                            .path("version")
                            .asLong());
            String logged =
                    Files.readString(dbx.dataDir.resolve("logs/eventdbx.log")).substring((int) logBefore);
            assertFalse(logged.contains("\tat "), "no stack trace in the log:\n" + logged);
            assertTrue(logged.lines().count() <= 2, "one line per malformed body at most:\n" + logged);

            // health: HEAD, liveness, readiness
            Reply head = api.send("HEAD", "/health", null, null, null);
            assertEquals(200, head.status());
            assertEquals(
                    "ok", api.get("/health/live", null).body().path("status").asText());
            assertEquals(
                    "ready",
                    api.get("/health/ready", null).body().path("status").asText());
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void unfinishedBodiesHoldNoWorker() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        assertEquals(0, dbx.run("start").exit());
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) { // a warm path: the first appends of a server load and compile code
                expect(201, null, api.append(admin, event("warm", "{}")));
                expect(200, null, api.get("/health", null));
            }
            // 1,000 connections that send headers and then (almost) nothing: authenticated and anonymous appends with
            // one byte of a 100-byte body, a GET that declares a body, Expect: 100-continue without a body
            String[] shapes = {
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
                "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n",
                "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin
                        + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 80\r\n\r\n"
            };
            for (int i = 0; i < 1_000; i++) {
                Socket socket = new Socket("127.0.0.1", dbx.httpPort);
                socket.getOutputStream().write(shapes[i % shapes.length].getBytes(StandardCharsets.UTF_8));
                slow.add(socket);
            }
            // The server reads those 1,000 requests' headers first (about a quarter of a millisecond each); three of
            // the four shapes get an answer at once (401, 200, 100 Continue): once each has its answer, the flood is
            // taken in and every connection is waiting for a body that does not come.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < slow.size(); i++) {
                if (i % shapes.length != 0) {
                    while (slow.get(i).getInputStream().available() == 0) {
                        assertTrue(System.nanoTime() < deadline, "connection " + i + " got no answer within 60 s");
                        Thread.sleep(1); // polling a condition with a deadline
                    }
                }
            }
            List<Long> healthMillis = new ArrayList<>();
            List<Long> appendMillis = new ArrayList<>();
            for (int round = 0; round < 10; round++) {
                long started = System.nanoTime();
                expect(200, null, api.get("/health", null));
                healthMillis.add((System.nanoTime() - started) / 1_000_000);
                started = System.nanoTime();
                expect(201, null, api.append(admin, event("busy", "{\"round\":" + round + "}")));
                appendMillis.add((System.nanoTime() - started) / 1_000_000);
            }
            String timings = "health " + healthMillis + " ms, appends " + appendMillis + " ms";
            System.out.println("with 1,000 unfinished bodies: " + timings);
            assertTrue(healthMillis.stream().allMatch(ms -> ms < 100), timings);
            assertTrue(appendMillis.stream().allMatch(ms -> ms < 100), timings);
            // the authenticated ones that finish their body are still served
            Socket finishing = slow.get(0);
            byte[] rest = ("\"aggregate_type\":\"patient\",\"aggregate_id\":\"late\",\"event_type\":\"seen\","
                            + "\"payload\":{}}")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] padded = Arrays.copyOf(rest, 99);
            Arrays.fill(padded, rest.length, 99, (byte) ' ');
            finishing.getOutputStream().write(padded);
            finishing.setSoTimeout(10_000);
            String answer = new String(finishing.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 201", answer);
        } finally {
            for (Socket socket : slow) {
                socket.close();
            }
            dbx.run("stop");
        }
    }

    @Test
    void aStartingServerAnswersNothingButJson() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> unclean = new ConcurrentLinkedQueue<>();
        Thread client = new Thread(() -> {
            int n = 0;
            while (running.get()) {
                try {
                    Reply reply = n++ % 2 == 0
                            ? api.get("/health", null)
                            : api.append(admin, event("starting", "{\"n\":" + n + "}"));
                    answered.incrementAndGet();
                    boolean json = reply.contentType().startsWith("application/json") && reply.body() != null;
                    if (!json || (reply.status() != 200 && reply.status() != 201 && reply.status() != 503)) {
                        unclean.add(reply.status() + " " + reply.contentType() + " " + reply.raw());
                    }
                } catch (IOException noAnswer) {
                    // no listener yet (refused), or a connection that the stopping server closed: no answer at all,
                    // which a client retries; what must never come is a wrong answer
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        client.start();
        try {
            assertEquals(0, dbx.run("start").exit());
            int before = answered.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answered.get() < before + 20 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a condition with a deadline
            }
            Dbx.Result restart = dbx.run("restart");
            assertEquals(0, restart.exit(), restart.toString());
            int afterRestart = answered.get();
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answered.get() < afterRestart + 20 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a condition with a deadline
            }
            assertTrue(answered.get() >= afterRestart + 20, "the restarted server answers");
        } finally {
            running.set(false);
            client.join(30_000);
            dbx.run("stop");
        }
        assertTrue(unclean.isEmpty(), "answers that were not the API's JSON: " + unclean);
    }

    @Test
    void theLauncherDefectsAreGone() throws Exception {
        Dbx dbx = new Dbx(temp);
        // made by the operator before the first start, with the usual modes
        Files.setPosixFilePermissions(dbx.dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dbx.dataDir.resolve("config.toml"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, dbx.run("config", "--list-page-size", "2").exit());
        assertEquals(0, dbx.run("start").exit());
        try {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dbx.dataDir)));
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dbx.dataDir.resolve("config.toml"))));
            assertEquals(
                    "rwx------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dbx.dataDir.resolve("store"))));

            // D8: idle anonymous peers on the control socket do not lock the owner out, and get a real nonce
            JsonNode pid = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")));
            String[] control = pid.path("control").asText().split(":");
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    idle.add(new Socket(control[0], Integer.parseInt(control[1])));
                }
                Socket last = idle.get(idle.size() - 1);
                last.setSoTimeout(5_000);
                byte[] greeting = last.getInputStream().readNBytes(5 + 32);
                assertEquals(37, greeting.length);
                assertNotEquals(0, Arrays.stream(toInts(greeting, 5)).sum(), "the nonce is random, not zeros");
                Dbx.Result status = dbx.run("status", "--json");
                assertEquals(0, status.exit(), status.toString());
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }

            // aggregate list honours list_page_size
            for (String id : List.of("a", "b", "c")) {
                assertEquals(
                        0,
                        dbx.run("aggregate", "apply", "patient", id, "seen", "--field", "x=1")
                                .exit());
            }
            JsonNode page = JSON.readTree(dbx.run("aggregate", "list", "--json").out());
            assertEquals(2, page.path("items").size(), page.toString());

            // seed 000's schema remove --aggregate <name> --event <name>
            assertEquals(
                    0,
                    dbx.run("schema", "create", "--aggregate", "order", "--events", "placed,paid")
                            .exit());
            Dbx.Result remove = dbx.run("schema", "remove", "--aggregate", "order", "--event", "paid");
            assertEquals(0, remove.exit(), remove.toString());
            Dbx.Result show = dbx.run("schema", "show", "order", "--json");
            assertFalse(show.out().contains("paid"), show.toString());

            // a lost token is revoked by the id that the list shows
            String lost = token(dbx, "--group", "ops", "--user", "lost");
            JsonNode tokens = JSON.readTree(dbx.run("token", "list", "--json").out());
            String id = null;
            for (JsonNode t : tokens) {
                if (t.path("user").asText().equals("lost")) {
                    id = t.path("token_id").asText(t.path("id").asText());
                }
            }
            assertTrue(id != null && !id.isEmpty(), tokens.toString());
            Dbx.Result revoke = dbx.run("token", "revoke", "--id", id);
            assertEquals(0, revoke.exit(), revoke.toString());
            Dbx.Result refused =
                    dbx.run("aggregate", "apply", "patient", "z", "seen", "--field", "x=1", "--token", lost);
            assertEquals(3, refused.exit(), refused.toString());

            // D2: start right after kill -9 goes on once the killed process is gone
            ProcessHandle server = ProcessHandle.of(pid.path("pid").asLong()).orElseThrow();
            new ProcessBuilder("kill", "-9", String.valueOf(server.pid()))
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
            Dbx.Result again = dbx.run("start");
            assertEquals(0, again.exit(), again.toString());
            assertEquals(0, dbx.run("status").exit());
        } finally {
            dbx.run("stop");
        }

        // $HOME decides the default data directory, and config says which directory it resolved
        ProcessBuilder config = new ProcessBuilder(Dbx.HOME.resolve("bin/dbx").toString(), "config", "--json");
        config.environment().keySet().removeIf(key -> key.startsWith("EVENTDBX_"));
        config.environment().put("HOME", dbx.userHome.toString());
        config.redirectErrorStream(true);
        Process process = config.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), out);
        String dataDir = null;
        for (JsonNode row : JSON.readTree(out.substring(out.indexOf('[')))) {
            if (row.path("key").asText().equals("data_dir")) {
                dataDir = row.path("value").asText();
            }
        }
        assertEquals(dbx.userHome.resolve(".eventdbx").toString(), dataDir, out);
    }

    private static int[] toInts(byte[] bytes, int from) {
        int[] out = new int[bytes.length - from];
        for (int i = from; i < bytes.length; i++) {
            out[i - from] = bytes[i] & 0xff;
        }
        return out;
    }
}
