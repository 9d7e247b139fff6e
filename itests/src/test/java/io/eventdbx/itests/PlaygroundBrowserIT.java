package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GraphQL playground in a real browser (headless Chromium from Debian), offline: every host but the server's
 * is unresolvable, the token comes in the page's fragment, the seed's query runs by the playground's own Run button,
 * and a screenshot is kept as a test artifact ({@code itests/target/playground.png}). The browser is driven over the
 * DevTools protocol with the JDK's WebSocket client.
 */
class PlaygroundBrowserIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

    @TempDir
    Path temp;

    /** A DevTools session with one page: commands by id, and the page's exceptions as they come. */
    private static final class DevTools implements WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final List<String> exceptions = new CopyOnWriteArrayList<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static DevTools connect(String url) throws Exception {
            DevTools tools = new DevTools();
            tools.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(URI.create(url), tools)
                    .get(30, TimeUnit.SECONDS);
            return tools;
        }

        JsonNode call(String method, Map<String, Object> params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            socket.sendText(JSON.writeValueAsString(Map.of("id", id, "method", method, "params", params)), true)
                    .get(30, TimeUnit.SECONDS);
            JsonNode reply = answer.get(60, TimeUnit.SECONDS);
            assertTrue(reply.path("error").isMissingNode(), method + ": " + reply);
            return reply.path("result");
        }

        /** Evaluates an expression in the page; its value. */
        JsonNode eval(String expression) throws Exception {
            return call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true))
                    .path("result")
                    .path("value");
        }

        /** Waits until an expression is true in the page. */
        void await(String expression, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!eval(expression).asBoolean(false)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "the page did not get there in 60 s: " + what + "; exceptions: " + exceptions);
                }
                Thread.sleep(100); // polling a condition in the page, with a deadline
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> answer =
                                pending.remove(message.path("id").asInt());
                        if (answer != null) {
                            answer.complete(message);
                        }
                    } else if ("Runtime.exceptionThrown"
                            .equals(message.path("method").asText())) {
                        exceptions.add(
                                message.path("params").path("exceptionDetails").toString());
                    }
                } catch (Exception e) {
                    exceptions.add("unreadable DevTools message: " + e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    @Test
    void thePlaygroundRunsTheSeedsQueryOfflineInABrowser() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        Process chromium = null;
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String token = token(dbx, "--group", "admin", "--user", "jane", "--expiration", "3600");
            expect(
                    201,
                    null,
                    api.append(
                            token,
                            "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-001\","
                                    + "\"event_type\":\"patient-added\",\"payload\":{\"name\":\"Jane Doe\",\"status\":\"active\"}}"));
            Path profile = Files.createDirectories(temp.resolve("chromium-profile"));
            chromium = new ProcessBuilder(
                            "chromium",
                            "--headless",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--no-first-run",
                            // offline: no host resolves but the server's own address
                            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                            "--window-size=1400,900",
                            "--remote-debugging-port=0",
                            "--user-data-dir=" + profile,
                            "about:blank")
                    .redirectErrorStream(true)
                    .start();
            BufferedReader log =
                    new BufferedReader(new InputStreamReader(chromium.getInputStream(), StandardCharsets.UTF_8));
            String browser = null;
            for (String line; browser == null && (line = log.readLine()) != null; ) {
                Matcher m = DEVTOOLS.matcher(line);
                if (m.find()) {
                    browser = m.group(1);
                }
            }
            assertTrue(browser != null, "chromium did not open its DevTools endpoint");
            Thread drain = new Thread(() -> log.lines().forEach(line -> {})); // keep its output pipe flowing
            drain.setDaemon(true);
            drain.start();
            URI endpoint = URI.create(browser);
            JsonNode pages = JSON.readTree(HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://" + endpoint.getAuthority() + "/json/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            String pageSocket = null;
            for (JsonNode page : pages) {
                if ("page".equals(page.path("type").asText())) {
                    pageSocket = page.path("webSocketDebuggerUrl").asText();
                }
            }
            assertTrue(pageSocket != null, pages.toString());
            DevTools page = DevTools.connect(pageSocket);
            page.call("Runtime.enable", Map.of());
            page.call("Page.enable", Map.of());
            // the token travels in the fragment, which the browser never sends to a server
            page.call("Page.navigate", Map.of("url", api.base + "/graphql/playground/#token=" + token));
            page.await("document.querySelector('.graphiql-execute-button') !== null", "the playground rendered");
            String editor = page.eval("document.querySelector('.graphiql-query-editor')?.innerText ?? ''")
                    .asText();
            assertTrue(editor.contains("aggregates(take: $take)"), "the seed's query is the default: " + editor);
            page.eval("document.querySelector('.graphiql-execute-button').click()");
            page.await(
                    "(document.querySelector('.result-window')?.innerText ?? '').includes('p-001')",
                    "the query's result shown");
            String result = page.eval("document.querySelector('.result-window').innerText")
                    .asText();
            assertTrue(result.contains("merkle_root") && result.contains("Jane Doe"), result);
            JsonNode shot = page.call("Page.captureScreenshot", Map.of("format", "png"));
            Path png = Path.of("target", "playground.png").toAbsolutePath();
            Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
            assertTrue(Files.size(png) > 10_000, "a screenshot at " + png);
            assertTrue(page.exceptions.isEmpty(), "the page threw: " + page.exceptions);
        } finally {
            if (chromium != null) {
                chromium.destroy();
                if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
                    chromium.destroyForcibly();
                }
            }
            dbx.run("stop");
        }
    }
}
