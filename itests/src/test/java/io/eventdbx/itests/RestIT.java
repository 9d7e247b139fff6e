package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventdbx.itests.RestClient.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API over real HTTP against a running server: endpoints, errors, authentication, the seed's cURL. */
class RestIT {

    @TempDir
    Path temp;

    private RestClient client;

    private Reply send(String method, String path, String token, String contentType, byte[] body, String... headers)
            throws Exception {
        return client.send(method, path, token, contentType, body, headers);
    }

    private Reply get(String path, String token) throws Exception {
        return client.get(path, token);
    }

    private Reply post(String token, String json, String... headers) throws Exception {
        return client.append(token, json, headers);
    }

    /**
     * Many clients at once, so that appends wait for a group commit and are answered asynchronously: every answer is
     * the record that was stored, one aggregate's events keep their order, a conflict found after the request
     * thread was freed is still a clean 409, and the write allowance it took is given back.
     */
    @Test
    void concurrentAppendsAreAnsweredWithTheirDurableRecords() throws Exception {
        Dbx dbx = new Dbx(temp);
        client = new RestClient(dbx.httpPort);
        assertEquals(0, dbx.run("start").exit());
        try {
            client.awaitStatus("/health", null, 200);
            String writer = token(dbx, "--group", "clinic", "--user", "alice");
            int threads = 16;
            int each = 20;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<List<Reply>>> work = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    // half the clients have an aggregate each; the other half share one
                    String id = t < threads / 2 ? "c-" + t : "shared";
                    int client = t;
                    work.add(pool.submit(() -> {
                        List<Reply> mine = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            mine.add(post(
                                    writer,
                                    "{\"aggregate_type\":\"visit\",\"aggregate_id\":\"" + id
                                            + "\",\"event_type\":\"seen\",\"payload\":{\"client\":" + client
                                            + ",\"i\":" + i + "}}"));
                        }
                        return mine;
                    }));
                }
                Map<Long, Reply> shared = new HashMap<>();
                for (int t = 0; t < threads; t++) {
                    List<Reply> mine = work.get(t).get(60, TimeUnit.SECONDS);
                    for (int i = 0; i < each; i++) {
                        Reply reply = mine.get(i);
                        expect(201, null, reply);
                        long version = reply.body().path("version").asLong();
                        if (t < threads / 2) {
                            assertEquals(i + 1, version, "one client's own aggregate keeps its order");
                        } else {
                            assertEquals(null, shared.put(version, reply), "version " + version + " answered twice");
                        }
                    }
                }
                assertEquals((threads / 2) * each, shared.size());
                Reply stored = get("/v1/aggregates/visit/shared/events?skip=0&take=1000", writer);
                assertEquals(shared.size(), stored.body().size());
                for (JsonNode event : stored.body()) {
                    Reply answered = shared.get(event.path("version").asLong());
                    assertEquals(
                            event.path("hash").asText(),
                            answered.body().path("hash").asText());
                    assertEquals(event.path("payload"), answered.body().path("payload"));
                }
                assertTrue(get("/v1/aggregates/visit/shared/verify", writer)
                        .body()
                        .path("ok")
                        .asBoolean());

                // a race for a new aggregate: exactly one wins, the others get 409 and their allowance back
                String limited = token(dbx, "--group", "clinic", "--user", "bob", "--limit", "20");
                List<Future<Reply>> race = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    race.add(pool.submit(() -> post(
                            limited,
                            "{\"aggregate_type\":\"visit\",\"aggregate_id\":\"race\",\"event_type\":\"opened\","
                                    + "\"payload\":{},\"expected_version\":0}")));
                }
                int won = 0;
                for (Future<Reply> f : race) {
                    Reply reply = f.get(60, TimeUnit.SECONDS);
                    if (reply.status() == 201) {
                        won++;
                    } else {
                        expect(409, "CONFLICT", reply);
                    }
                }
                assertEquals(1, won);
                Dbx.Result tokens = dbx.run("token", "list", "--json");
                assertEquals(0, tokens.exit(), tokens.toString());
                JsonNode bob = null;
                for (JsonNode t : RestClient.JSON.readTree(tokens.out())) {
                    if (t.path("user").asText().equals("bob")) {
                        bob = t;
                    }
                }
                assertEquals(19, bob.path("remaining_writes").asLong(), tokens.out());
            } finally {
                pool.shutdownNow();
            }
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void endpointsErrorsAndAuthentication() throws Exception {
        Dbx dbx = new Dbx(temp);
        client = new RestClient(dbx.httpPort);
        String base = client.base;
        assertEquals(0, dbx.run("start").exit());
        try {
            client.awaitStatus("/health", null, 200);
            Reply health = get("/health", null);
            assertEquals("ok", health.body().path("status").asText());

            expect(401, "UNAUTHENTICATED", get("/v1/aggregates", null));
            expect(401, "UNAUTHENTICATED", get("/v1/aggregates", "not-a-token"));
            String writer = token(dbx, "--group", "clinic", "--user", "alice");

            Reply created = post(
                    writer,
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\","
                            + "\"event_type\":\"admitted\",\"payload\":{\"name\":\"Jane\",\"age\":42},\"note\":\"intake\"}");
            expect(201, null, created);
            assertEquals(1, created.body().path("version").asInt());
            assertEquals(
                    "clinic",
                    created.body()
                            .path("metadata")
                            .path("issued_by")
                            .path("group")
                            .asText());
            assertEquals(
                    "alice",
                    created.body()
                            .path("metadata")
                            .path("issued_by")
                            .path("user")
                            .asText());
            assertEquals("intake", created.body().path("metadata").path("note").asText());

            Reply state = get("/v1/aggregates/patient/p-1", writer);
            expect(200, null, state);
            assertEquals("Jane", state.body().path("state").path("name").asText());
            assertEquals("42", state.body().path("state").path("age").asText());
            expect(200, null, get("/v1/aggregates/patient/p-1?version=1", writer));
            Reply events = get("/v1/aggregates/patient/p-1/events?skip=0&take=10", writer);
            assertEquals(1, events.body().size());
            Reply verify = get("/v1/aggregates/patient/p-1/verify", writer);
            assertTrue(verify.body().path("ok").asBoolean(), verify.raw());
            assertEquals(
                    created.body().path("merkle_root").asText(),
                    verify.body().path("merkle_root").asText());
            Reply list = get("/v1/aggregates?take=5", writer);
            assertEquals(
                    "p-1", list.body().path("items").get(0).path("aggregate_id").asText());

            // expected version (body and If-Match) and idempotency (body and Idempotency-Key)
            String next =
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\",\"event_type\":\"updated\",\"payload\":{\"a\":1}}";
            expect(409, "CONFLICT", post(writer, next, "If-Match", "5"));
            expect(201, null, post(writer, next, "If-Match", "1"));
            Reply first = post(writer, next, "Idempotency-Key", "k-1");
            Reply retry = post(writer, next, "Idempotency-Key", "k-1");
            assertEquals(
                    first.body().path("version").asInt(),
                    retry.body().path("version").asInt());
            assertEquals(
                    3,
                    get("/v1/aggregates/patient/p-1", writer)
                            .body()
                            .path("version")
                            .asInt());

            // bad input: clear errors, nothing written
            expect(400, "INVALID_ARGUMENT", post(writer, "{\"aggregate_type\":"));
            expect(400, "INVALID_ARGUMENT", post(writer, "[1,2]"));
            expect(
                    400,
                    "INVALID_ARGUMENT",
                    post(
                            writer,
                            "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\",\"event_type\":\"x\",\"payload\":{},\"extra\":1}"));
            expect(
                    400,
                    "INVALID_ARGUMENT",
                    post(
                            writer,
                            "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\",\"event_type\":\"x\",\"payload\":\"text\"}"));
            expect(
                    400,
                    "INVALID_ARGUMENT",
                    post(
                            writer,
                            "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"../etc\",\"event_type\":\"x\",\"payload\":{}}"));
            expect(400, "INVALID_ARGUMENT", send("POST", "/v1/events", writer, "application/json", new byte[] {
                '{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'
            }));
            expect(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    send("POST", "/v1/events", writer, "text/plain", next.getBytes(StandardCharsets.UTF_8)));
            byte[] huge =
                    ("{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\",\"event_type\":\"x\",\"payload\":{\"big\":\""
                                    + "x".repeat(2 << 20) + "\"}}")
                            .getBytes(StandardCharsets.UTF_8);
            expect(413, "PAYLOAD_TOO_LARGE", send("POST", "/v1/events", writer, "application/json", huge));
            expect(400, "INVALID_ARGUMENT", get("/v1/aggregates?take=abc", writer));
            expect(404, "NOT_FOUND", get("/v1/aggregates/patient/nobody", writer));
            expect(404, "NOT_FOUND", get("/v1/nothing", writer));
            expect(405, "METHOD_NOT_ALLOWED", send("DELETE", "/v1/aggregates/patient/p-1", writer, null, null));
            assertEquals(
                    3,
                    get("/v1/aggregates/patient/p-1", writer)
                            .body()
                            .path("version")
                            .asInt(),
                    "nothing written");

            // schema violations are 422
            assertEquals(
                    0,
                    dbx.run("schema", "create", "order", "--events", "placed").exit());
            expect(
                    422,
                    "SCHEMA_VIOLATION",
                    post(
                            writer,
                            "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o-1\",\"event_type\":\"x\",\"payload\":{}}"));

            // authorization: an auditor reads one aggregate; a used-up write limit is 403
            assertEquals(201, post(writer, next.replace("p-1", "p-2")).status());
            String auditor = token(
                    dbx,
                    "--group",
                    "auditors",
                    "--user",
                    "ann",
                    "--action",
                    "aggregate.read",
                    "--resource",
                    "aggregate:patient:p-1");
            expect(200, null, get("/v1/aggregates/patient/p-1", auditor));
            expect(403, "FORBIDDEN", get("/v1/aggregates/patient/p-2", auditor));
            expect(403, "FORBIDDEN", post(auditor, next));
            Reply visible = get("/v1/aggregates", auditor);
            assertEquals(1, visible.body().path("items").size(), visible.raw());
            String limited = token(dbx, "--group", "g", "--user", "l", "--limit", "1");
            expect(201, null, post(limited, next.replace("p-1", "p-3")));
            Reply over = post(limited, next.replace("p-1", "p-3"));
            expect(403, "FORBIDDEN", over);
            assertTrue(over.body().path("message").asText().contains("write limit"), over.raw());
            assertEquals(0, dbx.run("token", "revoke", "--token", limited).exit());
            expect(401, "UNAUTHENTICATED", get("/v1/aggregates", limited));

            // the seed's cURL examples, as written (host and port of this test's server, a real token)
            String seedPost = "{\n        \"aggregate_type\": \"patient\",\n        \"aggregate_id\": \"p-001\",\n"
                    + "        \"event_type\": \"patient-updated\",\n        \"payload\": {\n          \"status\": \"inactive\",\n"
                    + "          \"meta\": {\"source\": \"api\"}\n        }\n      }";
            assertTrue(curl(
                            "-X",
                            "POST",
                            "-H",
                            "Authorization: Bearer " + writer,
                            "-H",
                            "Content-Type: application/json",
                            "-d",
                            seedPost,
                            base + "/v1/events")
                    .contains("\"event_type\":\"patient-updated\""));
            assertTrue(curl(
                            "-H",
                            "Authorization: Bearer " + writer,
                            base + "/v1/aggregates/patient/p-001/events?skip=0&take=10")
                    .contains("\"aggregate_id\":\"p-001\""));
            assertEquals("{\"status\":\"ok\"}", curl(base + "/health"));
            assertTrue(curl("-H", "Authorization: Bearer " + writer, base + "/v1/aggregates")
                    .contains("p-001"));
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "curl " + String.join(" ", args) + ": " + out);
        return out;
    }
}
