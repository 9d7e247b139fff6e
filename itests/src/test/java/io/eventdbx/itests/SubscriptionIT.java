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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The global log as a feed, a stream of Server-Sent Events and {@code dbx events --follow}, against a real server. */
class SubscriptionIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static String event(String id, int n) {
        return "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"" + id
                + "\",\"event_type\":\"seen\",\"payload\":{\"n\":" + n + "}}";
    }

    /** Reads Server-Sent Events until {@code count} have come; returns their ids (log positions) and payload n. */
    private static List<Long> readEvents(Iterator<String> lines, int count) {
        List<Long> ids = new ArrayList<>();
        String id = null;
        while (ids.size() < count && lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("data: ")) {
                ids.add(Long.parseLong(id));
            }
        }
        return ids;
    }

    @Test
    void aStreamSeesEveryEventOnceInOrderWhileTenWritersAppendAndResumesAfterItsClientReconnects() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        assertEquals(0, dbx.run("start").exit());
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest.Builder streamRequest = HttpRequest.newBuilder(URI.create(api.base + "/v1/events?from=1"))
                    .header("Authorization", "Bearer " + admin)
                    .header("Accept", "text/event-stream");
            HttpResponse<Stream<String>> first = http.send(streamRequest.build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, first.statusCode());
            assertTrue(first.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));

            int writers = 10;
            int each = 40;
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String id = "w-" + w;
                Thread writer = new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        try {
                            expect(201, null, api.append(admin, event(id, i)));
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }
                });
                writer.start();
                threads.add(writer);
            }
            // the client reads half, goes away, and comes back with Last-Event-ID
            List<Long> seen = new ArrayList<>();
            try (Stream<String> lines = first.body()) {
                seen.addAll(readEvents(lines.iterator(), writers * each / 2));
            }
            HttpResponse<Stream<String>> second = http.send(
                    streamRequest
                            .header("Last-Event-ID", String.valueOf(seen.get(seen.size() - 1)))
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = second.body()) {
                seen.addAll(readEvents(lines.iterator(), writers * each - seen.size()));
            }
            for (Thread writer : threads) {
                writer.join();
            }
            assertEquals(writers * each, seen.size());
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(i + 1, seen.get(i), "each event once, in log order, with no gap");
            }

            // the feed as pages, with a filter
            JsonNode page = expect(200, null, api.get("/v1/events?from=1&take=5&aggregate_id=w-3", admin))
                    .body();
            assertEquals(6, page.path("next_from").asLong(), page.toString());
            page.path("items")
                    .forEach(e -> assertEquals("w-3", e.path("aggregate_id").asText()));
            expect(400, "INVALID_ARGUMENT", api.get("/v1/events?aggregate_id=a%2Fb", admin));
            expect(401, "UNAUTHENTICATED", api.get("/v1/events", null));
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void theLauncherFollowsTheLogUntilItIsStopped() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
        assertEquals(0, dbx.run("start").exit());
        Process follow = null;
        try {
            expect(201, null, api.append(admin, event("before", 1)));
            follow = dbx.start("events", "--follow", "--json", "--aggregate", "patient");
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8));
            assertEquals(
                    "before", JSON.readTree(out.readLine()).path("aggregate_id").asText());
            expect(201, null, api.append(admin, event("after", 2)));
            expect(
                    201,
                    null,
                    api.post(
                            "/v1/events",
                            admin,
                            "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o\",\"event_type\":\"placed\",\"payload\":{}}"));
            expect(201, null, api.append(admin, event("later", 3)));
            JsonNode next = JSON.readTree(out.readLine());
            assertEquals("after", next.path("aggregate_id").asText());
            assertEquals(2, next.path("position").asLong());
            assertEquals(4, JSON.readTree(out.readLine()).path("position").asLong(), "the order event is filtered");
            follow.destroy();
            assertTrue(follow.waitFor(30, TimeUnit.SECONDS));
            // the server goes on, and its control socket serves the next command
            Dbx.Result status = dbx.run("status");
            assertEquals(0, status.exit(), status.toString());
        } finally {
            if (follow != null) {
                follow.destroyForcibly();
            }
            dbx.run("stop");
        }
    }
}
