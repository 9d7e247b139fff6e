package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real HTTP client for one server's REST API, which can also keep the responses it is shown as samples for the
 * OpenAPI conformance check.
 */
final class RestClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One response: status, body (parsed when it is JSON), raw text, headers. */
    record Reply(int status, JsonNode body, String raw, HttpHeaders headers) {
        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Map<String, Object>> samples = new ArrayList<>();

    RestClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    Reply send(String method, String path, String token, String contentType, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        request.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String type = response.headers().firstValue("Content-Type").orElse("");
        JsonNode node = response.body().isEmpty() || !type.startsWith("application/json")
                ? null
                : JSON.readTree(response.body());
        return new Reply(response.statusCode(), node, response.body(), response.headers());
    }

    Reply get(String path, String token) throws IOException, InterruptedException {
        return send("GET", path, token, null, null);
    }

    Reply post(String path, String token, String json, String... headers) throws IOException, InterruptedException {
        return send("POST", path, token, "application/json", json.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Appends: POST /v1/events. */
    Reply append(String token, String json, String... headers) throws IOException, InterruptedException {
        return post("/v1/events", token, json, headers);
    }

    /** Asserts the status and, for errors, the JSON error code with a message. */
    static Reply expect(int status, String code, Reply reply) {
        assertEquals(status, reply.status(), reply.raw());
        if (code != null) {
            assertEquals(code, reply.body().path("code").asText(), reply.raw());
            assertFalse(reply.body().path("message").asText().isBlank(), reply.raw());
        }
        return reply;
    }

    /**
     * Keeps a response as a sample of an operation of the OpenAPI document.
     *
     * @param method the operation's method
     * @param template the operation's path template, as in the document
     * @return the reply
     */
    Reply sample(String method, String template, Reply reply) throws IOException {
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("method", method.toLowerCase(java.util.Locale.ROOT));
        sample.put("path", template);
        sample.put("status", reply.status());
        sample.put("contentType", reply.contentType());
        sample.put("body", reply.body() != null ? reply.body() : reply.raw());
        samples.add(sample);
        return reply;
    }

    List<Map<String, Object>> samples() {
        return samples;
    }

    /** Waits until the HTTP listener answers (the whiteboard registers servlets asynchronously). */
    void awaitStatus(String path, String token, int status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int last = -1;
        while (true) {
            try {
                last = get(path, token).status();
                if (last == status) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "GET " + path + " did not answer " + status + " within 30 s (last " + last + ")");
            }
            Thread.sleep(50); // polling a condition with a deadline, not waiting a fixed time
        }
    }

    /** Generates a token with {@code dbx token generate --json} and the given options. */
    static String token(Dbx dbx, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("token", "generate", "--json"));
        args.addAll(List.of(options));
        Dbx.Result result = dbx.run(args.toArray(String[]::new));
        assertEquals(0, result.exit(), result.toString());
        return JSON.readTree(result.out()).path("token").asText();
    }
}
