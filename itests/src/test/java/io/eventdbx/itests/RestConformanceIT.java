package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventdbx.itests.RestClient.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API beyond the seed's table (proofs, snapshots, archive/restore, schemas), checked against its own
 * OpenAPI 3.1 document by a real OpenAPI validator (npm) and live responses; Prometheus metrics; the access log.
 */
class RestConformanceIT {

    private static final String TYPE_ID = "/v1/aggregates/{type}/{id}";

    @TempDir
    Path temp;

    @Test
    void everyOperationAnswersAsItsOpenApiDocumentSays() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        assertEquals(0, dbx.run("start").exit());
        try {
            api.awaitStatus("/health", null, 200);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            String reader = token(
                    dbx,
                    "--group",
                    "audit",
                    "--user",
                    "ann",
                    "--action",
                    "aggregate.read",
                    "--resource",
                    "aggregate:patient:p-1");

            api.sample("get", "/health", api.get("/health", null));
            api.sample("get", "/health/live", api.get("/health/live", null));
            api.sample("get", "/health/ready", api.get("/health/ready", null));
            api.sample("get", "/openapi.json", expect(200, null, api.get("/openapi.json", admin)));
            api.sample("get", "/openapi.json", expect(401, "UNAUTHENTICATED", api.get("/openapi.json", null)));
            for (int v = 1; v <= 4; v++) {
                api.sample(
                        "post",
                        "/v1/events",
                        expect(
                                201,
                                null,
                                api.append(
                                        admin,
                                        "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\",\"event_type\":\"seen\","
                                                + "\"payload\":{\"visit\":" + v
                                                + ",\"ward\":{\"name\":\"B\"}},\"note\":\"n"
                                                + v + "\"}")));
            }
            api.sample("post", "/v1/events", expect(409, "CONFLICT", api.append(admin, event("p-1"), "If-Match", "1")));
            api.sample("get", "/v1/events", expect(200, null, api.get("/v1/events?from=1&take=2", admin)));
            api.sample(
                    "get",
                    "/v1/events",
                    expect(400, "INVALID_ARGUMENT", api.get("/v1/events?event_type=a%2Fb", admin)));
            api.sample("post", "/v1/events", expect(400, "INVALID_ARGUMENT", api.append(admin, "{")));
            api.sample(
                    "post",
                    "/v1/events",
                    expect(
                            415,
                            "UNSUPPORTED_MEDIA_TYPE",
                            api.send(
                                    "POST",
                                    "/v1/events",
                                    admin,
                                    "text/plain",
                                    event("p-1").getBytes(StandardCharsets.UTF_8))));
            api.sample("post", "/v1/events", expect(403, "FORBIDDEN", api.append(reader, event("p-1"))));
            refusedBeforeItsBodyKeepsTheConnection(dbx.httpPort);

            // reads
            api.sample("get", "/v1/aggregates", expect(200, null, api.get("/v1/aggregates?take=10", admin)));
            api.sample("get", "/v1/aggregates", expect(401, "UNAUTHENTICATED", api.get("/v1/aggregates", "forged")));
            api.sample("get", TYPE_ID, expect(200, null, api.get("/v1/aggregates/patient/p-1", reader)));
            api.sample("get", TYPE_ID, expect(200, null, api.get("/v1/aggregates/patient/p-1?version=2", admin)));
            api.sample("get", TYPE_ID, expect(404, "NOT_FOUND", api.get("/v1/aggregates/patient/none", admin)));
            api.sample("get", TYPE_ID, expect(403, "FORBIDDEN", api.get("/v1/aggregates/patient/p-2", reader)));
            api.sample(
                    "get",
                    TYPE_ID + "/events",
                    expect(200, null, api.get("/v1/aggregates/patient/p-1/events?skip=1&take=2", admin)));
            api.sample(
                    "get", TYPE_ID + "/verify", expect(200, null, api.get("/v1/aggregates/patient/p-1/verify", admin)));

            // proofs: the inclusion proof of version 2 in the tree of 4 and the consistency of 2 with 4
            Reply proof = api.sample(
                    "get",
                    TYPE_ID + "/proof",
                    expect(200, null, api.get("/v1/aggregates/patient/p-1/proof?version=2", admin)));
            assertEquals(4, proof.body().path("tree_size").asInt(), proof.raw());
            assertEquals(2, proof.body().path("path").size(), proof.raw());
            JsonNode second = api.get("/v1/aggregates/patient/p-1/events?skip=1&take=1", admin)
                    .body()
                    .get(0);
            assertEquals(
                    second.path("hash").asText(),
                    proof.body().path("event_hash").asText());
            assertEquals(
                    api.get("/v1/aggregates/patient/p-1", admin)
                            .body()
                            .path("merkle_root")
                            .asText(),
                    proof.body().path("merkle_root").asText());
            api.sample(
                    "get",
                    TYPE_ID + "/proof",
                    expect(400, "INVALID_ARGUMENT", api.get("/v1/aggregates/patient/p-1/proof", admin)));
            api.sample(
                    "get",
                    TYPE_ID + "/proof",
                    expect(404, "NOT_FOUND", api.get("/v1/aggregates/patient/p-1/proof?version=9", admin)));
            Reply consistency = api.sample(
                    "get",
                    TYPE_ID + "/consistency",
                    expect(200, null, api.get("/v1/aggregates/patient/p-1/consistency?from=2&to=4", admin)));
            assertEquals(
                    second.path("merkle_root").asText(),
                    consistency.body().path("from_root").asText());
            assertEquals(
                    proof.body().path("merkle_root").asText(),
                    consistency.body().path("to_root").asText());
            assertFalse(consistency.body().path("proof").isEmpty(), consistency.raw());
            api.sample(
                    "get",
                    TYPE_ID + "/consistency",
                    expect(
                            400,
                            "INVALID_ARGUMENT",
                            api.get("/v1/aggregates/patient/p-1/consistency?from=x&to=4", admin)));

            // snapshot, archive, restore
            Reply snapshot = api.sample(
                    "post",
                    TYPE_ID + "/snapshot",
                    expect(
                            201,
                            null,
                            api.post("/v1/aggregates/patient/p-1/snapshot", admin, "{\"comment\":\"quarter end\"}")));
            assertEquals(4, snapshot.body().path("version").asInt());
            assertEquals("quarter end", snapshot.body().path("comment").asText());
            api.sample(
                    "post",
                    TYPE_ID + "/snapshot",
                    expect(
                            400,
                            "INVALID_ARGUMENT",
                            api.post("/v1/aggregates/patient/p-1/snapshot", admin, "{\"comment\":\"x\",\"extra\":1}")));
            api.sample(
                    "post",
                    TYPE_ID + "/snapshot",
                    expect(403, "FORBIDDEN", api.post("/v1/aggregates/patient/p-1/snapshot", reader, "{}")));
            Reply archived = api.sample(
                    "post",
                    TYPE_ID + "/archive",
                    expect(
                            200,
                            null,
                            api.post("/v1/aggregates/patient/p-1/archive", admin, "{\"comment\":\"moved\"}")));
            assertTrue(archived.body().path("archived").asBoolean(), archived.raw());
            api.sample("post", "/v1/events", expect(403, "ARCHIVED", api.append(admin, event("p-1"))));
            api.sample(
                    "post",
                    TYPE_ID + "/archive",
                    expect(
                            404,
                            "NOT_FOUND",
                            api.send("POST", "/v1/aggregates/patient/none/archive", admin, null, null)));
            Reply restored = api.sample(
                    "post",
                    TYPE_ID + "/restore",
                    expect(200, null, api.send("POST", "/v1/aggregates/patient/p-1/restore", admin, null, null)));
            assertFalse(restored.body().path("archived").asBoolean(), restored.raw());
            api.sample(
                    "post",
                    TYPE_ID + "/restore",
                    expect(405, "METHOD_NOT_ALLOWED", api.get("/v1/aggregates/patient/p-1/restore", admin)));
            expect(201, null, api.append(admin, event("p-1")));

            // schemas: read-only over REST
            assertEquals(
                    0,
                    dbx.run("schema", "create", "order", "--events", "placed").exit());
            Reply schemas = api.sample("get", "/v1/schemas", expect(200, null, api.get("/v1/schemas", admin)));
            assertEquals(
                    "order", schemas.body().path("items").get(0).path("name").asText(), schemas.raw());
            api.sample("get", "/v1/schemas", expect(403, "FORBIDDEN", api.get("/v1/schemas", reader)));
            api.sample("get", "/v1/schemas/{name}", expect(200, null, api.get("/v1/schemas/order", admin)));
            api.sample("get", "/v1/schemas/{name}", expect(404, "NOT_FOUND", api.get("/v1/schemas/none", admin)));
            api.sample(
                    "post",
                    "/v1/events",
                    expect(
                            422,
                            "SCHEMA_VIOLATION",
                            api.append(
                                    admin,
                                    "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o-1\",\"event_type\":\"x\",\"payload\":{}}")));

            // metrics: Prometheus text for any valid token, with the store's and HTTP meters
            api.sample("get", "/metrics", expect(401, "UNAUTHENTICATED", api.get("/metrics", null)));
            Reply metrics = api.sample("get", "/metrics", expect(200, null, api.get("/metrics", reader)));
            assertTrue(metrics.contentType().startsWith("text/plain"), metrics.contentType());
            String text = metrics.raw();
            assertTrue(metric(text, "eventdbx_appends_seconds_count") >= 5, text);
            assertTrue(metric(text, "eventdbx_appends_seconds_bucket{le=\"+Inf\"}") >= 5, text);
            assertTrue(metric(text, "eventdbx_commit_sync_seconds_count") >= 5, text);
            assertTrue(metric(text, "eventdbx_commit_batch_size_writes_count") >= 5, text);
            assertTrue(metric(text, "eventdbx_store_size_bytes") > 0, text);
            assertTrue(metric(text, "eventdbx_http_responses_total{method=\"POST\",status=\"201\"}") >= 5, text);
            assertTrue(metric(text, "eventdbx_http_responses_total{method=\"GET\",status=\"404\"}") >= 1, text);
            assertTrue(metric(text, "eventdbx_http_responses_total{method=\"POST\",status=\"422\"}") >= 1, text);

            // the document served is valid OpenAPI 3.1, and every response above matches it
            Path check = openApiChecker();
            Path doc = temp.resolve("openapi.json");
            Files.writeString(doc, api.get("/openapi.json", admin).raw());
            Path samples = temp.resolve("samples.json");
            RestClient.JSON.writeValue(samples.toFile(), api.samples());
            Run result = run(check, Duration.ofMinutes(2), "node", "check.mjs", doc.toString(), samples.toString());
            assertEquals(0, result.exit(), result.out());
            assertTrue(result.out().contains("document: valid OpenAPI 3.1"), result.out());

            // access log: one line per request with its id, never tokens or payloads
            String marker = "payload-marker-7f3a";
            Reply traced = api.append(
                    admin,
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-9\",\"event_type\":\"seen\",\"payload\":{\"x\":\""
                            + marker + "\"}}",
                    "X-Request-Id",
                    "req-test-42");
            assertEquals(
                    "req-test-42", traced.headers().firstValue("X-Request-Id").orElse(""));
            String generated = api.get("/v1/aggregates/patient/p-9", admin)
                    .headers()
                    .firstValue("X-Request-Id")
                    .orElse("");
            assertTrue(generated.matches("[0-9a-f]{16}"), generated);
            Path log = dbx.dataDir.resolve("logs/access.log");
            String logged = awaitLog(log, generated);
            assertTrue(logged.contains("req-test-42 POST /v1/events 201"), logged);
            assertTrue(logged.contains(generated + " GET /v1/aggregates/patient/p-9 200"), logged);
            assertTrue(logged.contains("ops/root"), "the caller is logged");
            assertFalse(logged.contains(marker), "a payload reached the log");
            assertFalse(logged.contains(admin), "a token reached the log");
            assertFalse(logged.contains(admin.substring(admin.lastIndexOf('.') + 1)), "a token signature in the log");
            String serverLog = Files.readString(dbx.dataDir.resolve("logs/eventdbx.log"));
            assertFalse(serverLog.contains(marker), "a payload reached the server log");
            assertFalse(serverLog.contains(admin), "a token reached the server log");
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    /**
     * A request refused before its body is read (here 401) leaves the keep-alive connection usable: the client
     * reads the answer, only then sends the body, and its next request on the same connection is answered.
     */
    private static void refusedBeforeItsBodyKeepsTheConnection(int port) throws IOException {
        String body = event("p-1");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String first = readResponse(in);
            assertTrue(first.startsWith("HTTP/1.1 401"), first);
            assertFalse(first.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), first);
            out.write(body.getBytes(StandardCharsets.US_ASCII));
            out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String second = readResponse(in);
            assertTrue(second.startsWith("HTTP/1.1 200"), second);
        }
    }

    /** One HTTP/1.1 response with a Content-Length body, as text. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed after: " + head);
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        int size = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(size), StandardCharsets.UTF_8);
    }

    private static String event(String id) {
        return "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"" + id
                + "\",\"event_type\":\"seen\",\"payload\":{\"a\":1}}";
    }

    /** The value of one sample line of the Prometheus text. */
    private static double metric(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String awaitLog(Path log, String needle) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            String text = Files.readString(log);
            if (text.contains(needle) || System.nanoTime() > deadline) {
                return text;
            }
            Thread.sleep(50); // polling a condition with a deadline
        }
    }

    /** The npm checker, installed once per build into target/ from its lock file. */
    private static Path openApiChecker() throws Exception {
        return NpmPackage.install(
                "openapi-check",
                List.of("package.json", "package-lock.json", "check.mjs"),
                "@seriousme/openapi-schema-validator");
    }

    record Run(int exit, String out) {}

    static Run run(Path dir, Duration timeout, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        var output = new java.util.concurrent.CompletableFuture<String>();
        Thread reader = new Thread(() -> {
            try {
                output.complete(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.completeExceptionally(e);
            }
        });
        reader.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
        }
        return new Run(process.exitValue(), output.join());
    }
}
