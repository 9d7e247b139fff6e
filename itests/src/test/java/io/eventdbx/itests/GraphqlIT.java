package io.eventdbx.itests;

import static io.eventdbx.itests.RestClient.expect;
import static io.eventdbx.itests.RestClient.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GraphQL API on the shared HTTP listener: the seed's query and mutation as written, the errors and limits, the
 * access matrix, GET and the playground, subscriptions driven by graphql-sse (the GraphQL over SSE protocol's own
 * npm client), and a redeploy of the GraphQL bundle while clients write through it.
 */
class GraphqlIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The seed's query example, byte for byte. */
    static final String SEED_QUERY = "{\n"
            + "        \"query\": \"query RecentAggregates($take: Int!) { aggregates(take: $take) { aggregate_type"
            + " aggregate_id version merkle_root state } }\",\n"
            + "        \"variables\": { \"take\": 5 }\n"
            + "      }";

    /** The seed's mutation example, byte for byte. */
    static final String SEED_MUTATION = "{\n"
            + "        \"query\": \"mutation Append($input: AppendEventInput!) { appendEvent(input: $input) {"
            + " aggregate_type aggregate_id version payload } }\",\n"
            + "        \"variables\": {\n"
            + "          \"input\": {\n"
            + "            \"aggregate_type\": \"patient\",\n"
            + "            \"aggregate_id\": \"p-001\",\n"
            + "            \"event_type\": \"patient-updated\",\n"
            + "            \"payload\": { \"status\": \"inactive\", \"comment\": \"Archived via GraphQL\" }\n"
            + "          }\n"
            + "        }\n"
            + "      }";

    @TempDir
    Path temp;

    private static String body(String query) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of("query", query));
    }

    /** Posts a query; the reply must be JSON with no stack trace or Java name in any error. */
    private static RestClient.Reply graphql(RestClient api, String token, String json, String... headers)
            throws Exception {
        RestClient.Reply reply = api.post("/graphql", token, json, headers);
        assertTrue(reply.status() < 500, reply.raw());
        assertFalse(
                reply.raw().contains("\tat ")
                        || reply.raw().contains("Exception")
                        || reply.raw().contains("java."),
                reply.raw());
        return reply;
    }

    /** Asserts one error with the code (and data null or absent). */
    private static JsonNode refused(RestClient.Reply reply, String code) throws Exception {
        JsonNode body = JSON.readTree(reply.raw()); // also application/graphql-response+json
        JsonNode errors = body.path("errors");
        assertEquals(1, errors.size(), reply.raw());
        assertEquals(code, errors.get(0).path("extensions").path("code").asText(), reply.raw());
        assertFalse(errors.get(0).path("message").asText().isBlank(), reply.raw());
        assertTrue(
                body.path("data").isMissingNode()
                        || body.path("data").isNull()
                        || body.path("data").fields().next().getValue().isNull(),
                reply.raw());
        return errors.get(0);
    }

    @Test
    void theSeedsQueryAndMutationWorkAsWritten() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String token = token(dbx, "--group", "admin", "--user", "jane", "--expiration", "3600");
            RestClient.Reply appended = expect(200, null, graphql(api, token, SEED_MUTATION));
            JsonNode event = appended.body().path("data").path("appendEvent");
            assertEquals("patient", event.path("aggregate_type").asText(), appended.raw());
            assertEquals("p-001", event.path("aggregate_id").asText());
            assertEquals(1, event.path("version").asLong());
            // payload is JSON, not a string
            assertEquals("inactive", event.path("payload").path("status").asText(), appended.raw());
            assertEquals(
                    "Archived via GraphQL",
                    event.path("payload").path("comment").asText());

            RestClient.Reply listed = expect(200, null, graphql(api, token, SEED_QUERY));
            JsonNode aggregates = listed.body().path("data").path("aggregates");
            assertEquals(1, aggregates.size(), listed.raw());
            JsonNode first = aggregates.get(0);
            assertEquals("patient", first.path("aggregate_type").asText());
            assertEquals("p-001", first.path("aggregate_id").asText());
            assertEquals(3 - 2, first.path("version").asLong());
            assertEquals(64, first.path("merkle_root").asText().length());
            assertEquals("inactive", first.path("state").path("status").asText(), listed.raw());

            // the same operations as REST: the mutation's event is REST's event, attributed to the caller
            JsonNode rest = expect(200, null, api.get("/v1/aggregates/patient/p-001/events", token))
                    .body();
            assertEquals(event.path("payload"), rest.get(0).path("payload"));
            assertEquals(
                    "jane",
                    rest.get(0).path("metadata").path("issued_by").path("user").asText());

            // and with the seed's curl itself, verbatim but for the token and the port
            RestConformanceIT.Run curl = RestConformanceIT.run(
                    temp,
                    Duration.ofMinutes(1),
                    "curl",
                    "-s",
                    "-X",
                    "POST",
                    "-H",
                    "Authorization: Bearer " + token,
                    "-H",
                    "Content-Type: application/json",
                    "-d",
                    SEED_QUERY,
                    "http://localhost:" + dbx.httpPort + "/graphql");
            assertEquals(0, curl.exit(), curl.out());
            assertEquals(
                    "p-001",
                    JSON.readTree(curl.out())
                            .path("data")
                            .path("aggregates")
                            .get(0)
                            .path("aggregate_id")
                            .asText(),
                    curl.out());
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void everyQueryAndMutationGoesThroughTheDoor() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            for (String id : List.of("p-1", "p-2", "p-3")) {
                for (int v = 1; v <= 2; v++) {
                    expect(
                            201,
                            null,
                            api.append(
                                    admin,
                                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"" + id
                                            + "\",\"event_type\":\"seen\",\"payload\":{\"v\":" + v
                                            + ",\"address\":{\"city\":\"Oslo\"}}}"));
                }
            }
            expect(
                    201,
                    null,
                    api.append(
                            admin,
                            "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o-1\",\"event_type\":\"placed\",\"payload\":{}}"));

            // paging by type with the next cursor
            JsonNode page = graphql(
                            api,
                            admin,
                            body(
                                    "{ aggregatesPage(aggregate_type: \"patient\", take: 2) { items { aggregate_id } next_cursor } }"))
                    .body()
                    .path("data")
                    .path("aggregatesPage");
            assertEquals(2, page.path("items").size(), page.toString());
            String cursor = page.path("next_cursor").asText();
            JsonNode rest = graphql(
                            api,
                            admin,
                            body("{ aggregatesPage(aggregate_type: \"patient\", take: 2, cursor: \"" + cursor
                                    + "\") { items { aggregate_id } next_cursor } }"))
                    .body()
                    .path("data")
                    .path("aggregatesPage");
            assertEquals("p-3", rest.path("items").get(0).path("aggregate_id").asText(), rest.toString());
            assertTrue(rest.path("next_cursor").isNull(), rest.toString());

            // one aggregate, at a version, nested events with their aggregate (loaded once), nested JSON state
            JsonNode one = graphql(
                            api,
                            admin,
                            body("{ aggregate(aggregate_type: \"patient\", aggregate_id: \"p-2\","
                                    + " version: 1) { version state events { version aggregate { version } } } }"))
                    .body()
                    .path("data")
                    .path("aggregate");
            assertEquals(1, one.path("version").asLong(), one.toString());
            assertEquals("Oslo", one.path("state").path("address").path("city").asText(), one.toString());
            assertEquals(2, one.path("events").size());
            assertEquals(
                    2,
                    one.path("events").get(1).path("aggregate").path("version").asLong());
            assertTrue(graphql(
                            api,
                            admin,
                            body("{ aggregate(aggregate_type: \"patient\", aggregate_id: \"none\")" + " { version } }"))
                    .body()
                    .path("data")
                    .path("aggregate")
                    .isNull());

            // proofs, verification, the log, schemas, snapshot, archive and restore
            JsonNode proofs = graphql(
                            api,
                            admin,
                            body("{ verify(aggregate_type: \"patient\", aggregate_id: \"p-1\")"
                                    + " { ok version merkle_root } inclusionProof(aggregate_type: \"patient\", aggregate_id:"
                                    + " \"p-1\", version: 1) { tree_size merkle_root path } consistencyProof(aggregate_type:"
                                    + " \"patient\", aggregate_id: \"p-1\", from_version: 1, to_version: 2) { from_root"
                                    + " to_root } log(from: 1, take: 3, aggregate_type: \"patient\") { events { position }"
                                    + " next_position } schemas }"))
                    .body()
                    .path("data");
            assertTrue(proofs.path("verify").path("ok").asBoolean(), proofs.toString());
            assertEquals(
                    proofs.path("verify").path("merkle_root"),
                    proofs.path("inclusionProof").path("merkle_root"));
            assertEquals(
                    proofs.path("verify").path("merkle_root"),
                    proofs.path("consistencyProof").path("to_root"));
            assertEquals(3, proofs.path("log").path("events").size(), proofs.toString());
            assertTrue(proofs.path("schemas").isArray());
            JsonNode changed = graphql(
                            api,
                            admin,
                            body("mutation { snapshot(aggregate_type: \"patient\", aggregate_id:"
                                    + " \"p-1\", comment: \"q4\") { version comment } archive(aggregate_type: \"order\","
                                    + " aggregate_id: \"o-1\", comment: \"done\") { archived } }"))
                    .body()
                    .path("data");
            assertEquals(2, changed.path("snapshot").path("version").asLong(), changed.toString());
            assertTrue(changed.path("archive").path("archived").asBoolean(), changed.toString());
            String archivedAppend = "mutation { appendEvent(input: {aggregate_type: \"order\", aggregate_id: \"o-1\","
                    + " event_type: \"paid\", payload: {}}) { version } }";
            refused(graphql(api, admin, body(archivedAppend)), "ARCHIVED");
            assertFalse(graphql(
                            api,
                            admin,
                            body("mutation { restore(aggregate_type: \"order\", aggregate_id: \"o-1\")"
                                    + " { archived } }"))
                    .body()
                    .path("data")
                    .path("restore")
                    .path("archived")
                    .asBoolean());

            // the version check and the event id, as REST's
            String conflict = "mutation { appendEvent(input: {aggregate_type: \"patient\", aggregate_id: \"p-1\","
                    + " event_type: \"seen\", payload: {}, expected_version: 1}) { version } }";
            JsonNode error = refused(graphql(api, admin, body(conflict)), "CONFLICT");
            assertEquals("2", error.path("extensions").path("current_version").asText(), error.toString());
            String once = "mutation { appendEvent(input: {aggregate_type: \"patient\", aggregate_id: \"p-9\","
                    + " event_type: \"seen\", payload: {n: 1}, event_id: \"5f0c6f4e-1d7a-4c55-9a8e-2a5a3b1c0d9e\","
                    + " note: \"first\"}) { version metadata { event_id note } } }";
            JsonNode first = graphql(api, admin, body(once)).body().path("data").path("appendEvent");
            JsonNode again = graphql(api, admin, body(once)).body().path("data").path("appendEvent");
            assertEquals(1, first.path("version").asLong(), first.toString());
            assertEquals(first, again);
            assertEquals("first", first.path("metadata").path("note").asText());

            // access: no token, a forged one, a reader that may not write, a token for one aggregate
            String list = body("{ aggregates { aggregate_id } }");
            refused(expect(401, null, graphql(api, null, list)), "UNAUTHENTICATED");
            refused(
                    expect(401, null, graphql(api, admin.substring(0, admin.length() - 4) + "AAAA", list)),
                    "UNAUTHENTICATED");
            refused(expect(401, null, graphql(api, null, body("{ __schema { types { name } } }"))), "UNAUTHENTICATED");
            String reader = token(
                    dbx,
                    "--group",
                    "g",
                    "--user",
                    "reader",
                    "--action",
                    "aggregate.read",
                    "--resource",
                    "aggregate:patient:p-1");
            JsonNode seen = graphql(api, reader, list).body().path("data").path("aggregates");
            assertEquals(1, seen.size(), seen.toString());
            assertEquals("p-1", seen.get(0).path("aggregate_id").asText());
            refused(
                    graphql(
                            api,
                            reader,
                            body("{ events(aggregate_type: \"patient\", aggregate_id: \"p-2\") { version }" + " }")),
                    "FORBIDDEN");
            refused(
                    graphql(
                            api,
                            reader,
                            body("mutation { appendEvent(input: {aggregate_type: \"patient\","
                                    + " aggregate_id: \"p-1\", event_type: \"seen\", payload: {}}) { version } }")),
                    "FORBIDDEN");
            refused(graphql(api, reader, body("{ schemas }")), "FORBIDDEN");
            assertEquals(
                    2,
                    expect(200, null, api.get("/v1/aggregates/patient/p-1", admin))
                            .body()
                            .path("version")
                            .asLong(),
                    "the refused write wrote nothing");
            // introspection for an authenticated caller (the playground and codegen tools need it)
            assertTrue(graphql(api, reader, body("{ __schema { queryType { name } } }"))
                    .raw()
                    .contains("Query"));
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void badRequestsGetClearErrorsAndLimitsHold() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            expect(
                    201,
                    null,
                    api.append(
                            admin,
                            "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\",\"event_type\":\"seen\",\"payload\":{}}"));
            // not GraphQL, not JSON, not the schema, wrong types
            refused(expect(200, null, graphql(api, admin, body("{ aggregates( "))), "GRAPHQL_PARSE_FAILED");
            refused(
                    expect(
                            400,
                            null,
                            graphql(api, admin, body("{ aggregates( "), "Accept", "application/graphql-response+json")),
                    "GRAPHQL_PARSE_FAILED");
            refused(graphql(api, admin, body("{ aggregates { nope } }")), "GRAPHQL_VALIDATION_FAILED");
            refused(
                    graphql(
                            api,
                            admin,
                            body("{ aggregate(aggregate_type: \"patient\", aggregate_id: \"p-1\","
                                    + " version: \"x\") { version } }")),
                    "GRAPHQL_VALIDATION_FAILED");
            refused(
                    graphql(
                            api,
                            admin,
                            body("{ aggregate(aggregate_type: \"patient\", aggregate_id: \"p-1\","
                                    + " version: 99999999999999999999) { version } }")),
                    "GRAPHQL_VALIDATION_FAILED");
            refused(
                    graphql(
                            api,
                            admin,
                            body("{ events(aggregate_type: \"bad type\", aggregate_id: \"p\") { version }" + " }")),
                    "INVALID_ARGUMENT");
            refused(
                    graphql(
                            api,
                            admin,
                            body("mutation { appendEvent(input: {aggregate_type: \"patient\", aggregate_id:"
                                    + " \"p-1\", event_type: \"seen\", payload: [1]}) { version } }")),
                    "INVALID_ARGUMENT");
            refused(expect(400, null, graphql(api, admin, "not json")), "INVALID_ARGUMENT");
            refused(expect(400, null, graphql(api, admin, "{\"variables\": {}}")), "INVALID_ARGUMENT");
            refused(
                    expect(400, null, graphql(api, admin, "{\"query\": \"{ aggregates { version } }\", \"x\": 1}")),
                    "INVALID_ARGUMENT");
            refused(
                    expect(
                            400,
                            null,
                            graphql(
                                    api,
                                    admin,
                                    "{\"query\": \"{ aggregates { version } }\", \"variables\":" + " [1]}")),
                    "INVALID_ARGUMENT");
            refused(
                    expect(
                            415,
                            null,
                            api.send(
                                    "POST",
                                    "/graphql",
                                    admin,
                                    "text/plain",
                                    "{ aggregates { version } }".getBytes(StandardCharsets.UTF_8))),
                    "UNSUPPORTED_MEDIA_TYPE");
            refused(
                    expect(
                            405,
                            null,
                            api.send(
                                    "PUT",
                                    "/graphql",
                                    admin,
                                    "application/json",
                                    body("{ aggregates { version } }").getBytes(StandardCharsets.UTF_8))),
                    "METHOD_NOT_ALLOWED");
            // a request larger than graphql.max_request_bytes (1 MiB)
            String huge = "{\"query\": \"{ aggregates { version } }\", \"variables\": {\"pad\": \""
                    + "x".repeat(1 << 20) + "\"}}";
            refused(expect(413, null, graphql(api, admin, huge)), "PAYLOAD_TOO_LARGE");

            // depth, cost, aliases
            StringBuilder deep = new StringBuilder("{ events(aggregate_type: \"patient\", aggregate_id: \"p-1\") {");
            for (int level = 0; level < 6; level++) {
                deep.append(" aggregate { events {");
            }
            deep.append(" version").append(" }".repeat(13)).append(" }"); // 14 levels

            assertEquals(
                    12,
                    refused(graphql(api, admin, body(deep.toString())), "QUERY_TOO_DEEP")
                            .path("extensions")
                            .path("limit")
                            .asInt());
            refused(
                    graphql(api, admin, body("{ aggregates(take: 1000) { events(take: 1000) { version payload } } }")),
                    "QUERY_TOO_COSTLY");
            StringBuilder aliases = new StringBuilder("{");
            for (int i = 0; i < 31; i++) {
                aliases.append(" a").append(i).append(": aggregates { version }");
            }
            refused(graphql(api, admin, body(aliases.append(" }").toString())), "TOO_MANY_ALIASES");
            // a page larger than page_limit answers page_limit items at most (the door's rule for every surface)
            assertEquals(
                    1,
                    graphql(api, admin, body("{ aggregates(take: 1000) { version } }"))
                            .body()
                            .path("data")
                            .path("aggregates")
                            .size());
            refused(graphql(api, admin, body("{ aggregates(take: 0) { version } }")), "INVALID_ARGUMENT");

            // GET runs queries, never mutations; a browser is sent to the playground
            String query = URLEncoder.encode("{ aggregates { aggregate_id } }", StandardCharsets.UTF_8);
            assertEquals(
                    "p-1",
                    expect(200, null, api.get("/graphql?query=" + query, admin))
                            .body()
                            .path("data")
                            .path("aggregates")
                            .get(0)
                            .path("aggregate_id")
                            .asText());
            String mutation = URLEncoder.encode(
                    "mutation { archive(aggregate_type: \"patient\", aggregate_id: \"p-1\")" + " { archived } }",
                    StandardCharsets.UTF_8);
            refused(expect(405, null, api.get("/graphql?query=" + mutation, admin)), "METHOD_NOT_ALLOWED");
            assertFalse(expect(200, null, api.get("/v1/aggregates/patient/p-1", admin))
                    .body()
                    .path("archived")
                    .asBoolean());
            RestClient.Reply browser = api.send("GET", "/graphql", null, null, null, "Accept", "text/html");
            assertEquals(302, browser.status());
            assertTrue(browser.headers().firstValue("Location").orElse("").endsWith("/graphql/playground/"));

            // the playground: its page and files come from the server; nothing refers to another host
            RestClient.Reply page = expect(200, null, api.get("/graphql/playground/", null));
            assertTrue(page.contentType().startsWith("text/html"), page.contentType());
            for (String src : List.of(
                    "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")) {
                assertTrue(page.raw().contains("\"" + src + "\""), src);
                assertEquals(200, api.get("/graphql/playground/" + src, null).status(), src);
            }
            assertFalse(page.raw().matches("(?s).*(src|href)=\"(https?:)?//.*"), page.raw());
            for (String escape :
                    List.of("/graphql/playground/../../v1/aggregates", "/graphql/playground/..%2F..%2Fconfig.toml")) {
                RestClient.Reply outside = api.get(escape, null);
                assertTrue(List.of(400, 401, 404).contains(outside.status()), escape + ": " + outside.raw());
                assertFalse(outside.raw().contains("port ="), outside.raw());
            }
            refused(expect(404, null, api.get("/graphql/playground/config.toml", null)), "NOT_FOUND");
        } finally {
            dbx.run("stop");
        }
    }

    /** graphql-sse (npm), installed once per build into target/ from its lock file. */
    static Path graphqlClient() throws Exception {
        return NpmPackage.install(
                "graphql-client", List.of("package.json", "package-lock.json", "subscribe.mjs"), "graphql-sse");
    }

    @Test
    void subscriptionsCatchUpThenGoLiveWithTheGraphqlSseClient() throws Exception {
        Path client = graphqlClient();
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        Process node = null;
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            for (int v = 1; v <= 3; v++) {
                expect(
                        201,
                        null,
                        api.append(
                                admin,
                                "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-1\","
                                        + "\"event_type\":\"seen\",\"payload\":{\"v\":" + v + "}}"));
                expect(
                        201,
                        null,
                        api.append(
                                admin,
                                "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o-1\","
                                        + "\"event_type\":\"placed\",\"payload\":{\"v\":" + v + "}}"));
            }
            String url = "http://127.0.0.1:" + dbx.httpPort + "/graphql";
            node = new ProcessBuilder("node", "subscribe.mjs", url, admin, "5", "1", "patient")
                    .directory(client.toFile())
                    .redirectErrorStream(true)
                    .start();
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            Thread reader = new Thread(() -> out.lines().forEach(lines::add));
            reader.setDaemon(true);
            reader.start();
            List<JsonNode> events = new ArrayList<>();
            for (int i = 0; i < 3; i++) { // the catch-up: the three patient events already stored
                String line = lines.poll(60, TimeUnit.SECONDS);
                assertTrue(line != null && line.startsWith("{"), "catch-up line " + i + ": " + line + " " + lines);
                events.add(JSON.readTree(line));
            }
            for (int v = 4; v <= 5; v++) { // live: written after the subscription caught up
                expect(
                        201,
                        null,
                        api.append(
                                admin,
                                "{\"aggregate_type\":\"order\",\"aggregate_id\":\"o-1\","
                                        + "\"event_type\":\"placed\",\"payload\":{\"v\":" + v + "}}"));
                JsonNode appended = graphql(
                                api,
                                admin,
                                body("mutation { appendEvent(input: {aggregate_type:"
                                        + " \"patient\", aggregate_id: \"p-1\", event_type: \"seen\", payload: {v: " + v
                                        + "}}) {"
                                        + " version } }"))
                        .body();
                assertEquals(
                        v,
                        appended.path("data")
                                .path("appendEvent")
                                .path("version")
                                .asLong(),
                        appended.toString());
                String line = lines.poll(60, TimeUnit.SECONDS);
                assertTrue(line != null && line.startsWith("{"), "live line: " + line);
                events.add(JSON.readTree(line));
            }
            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "the client did not end after 5 events");
            assertEquals(0, node.exitValue(), String.join("\n", lines));
            long lastPosition = 0;
            for (int i = 0; i < 5; i++) {
                JsonNode event = events.get(i);
                assertEquals("patient", event.path("aggregate_type").asText(), event.toString());
                assertEquals(i + 1, event.path("version").asLong(), event.toString());
                assertEquals(i + 1, event.path("payload").path("v").asLong(), event.toString());
                assertTrue(event.path("position").asLong() > lastPosition, "log order");
                lastPosition = event.path("position").asLong();
            }

            // refusals reach the client as GraphQL errors (or a 401 before the stream opens)
            RestConformanceIT.Run forged = RestConformanceIT.run(
                    client, Duration.ofMinutes(1), "node", "subscribe.mjs", url, "nope", "1", "1");
            assertEquals(2, forged.exit(), forged.out());
            assertTrue(forged.out().contains("401"), forged.out());
            RestConformanceIT.Run badFrom =
                    RestConformanceIT.run(client, Duration.ofMinutes(1), "node", "subscribe.mjs", url, admin, "1", "0");
            assertEquals(2, badFrom.exit(), badFrom.out());
            assertTrue(badFrom.out().contains("INVALID_ARGUMENT"), badFrom.out());
        } finally {
            if (node != null) {
                node.destroyForcibly();
            }
            dbx.run("stop");
        }
    }

    @Test
    void theGraphqlBundleRedeploysUnderLoadWithoutLosingAnAcknowledgedWrite() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger refusedWhileDown = new AtomicInteger();
            List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread writer = new Thread(() -> {
                String append = "{\"query\": \"mutation { appendEvent(input: {aggregate_type: \\\"patient\\\","
                        + " aggregate_id: \\\"load\\\", event_type: \\\"seen\\\", payload: {}}) { version } }\"}";
                while (running.get()) {
                    try {
                        RestClient.Reply reply = api.post("/graphql", admin, append);
                        if (reply.status() == 200
                                && reply.body() != null
                                && reply.body().path("data").path("appendEvent").has("version")) {
                            acknowledged.incrementAndGet();
                        } else if (reply.status() == 404 || reply.status() == 503) {
                            refusedWhileDown.incrementAndGet(); // the servlet is gone: REST answers the path
                        } else {
                            unexpected.add(reply.status() + " " + reply.raw());
                        }
                    } catch (Exception e) {
                        refusedWhileDown.incrementAndGet(); // a connection cut while the bundle stopped
                    }
                }
            });
            writer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.get() < 20 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a condition with a deadline
            }
            Dbx.Result stop = dbx.run("bundle", "stop", "io.eventdbx.graphql");
            assertEquals(0, stop.exit(), stop.toString());
            // REST and the store keep serving
            expect(
                    201,
                    null,
                    api.append(
                            admin,
                            "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"rest\",\"event_type\":\"seen\",\"payload\":{}}"));
            int before = acknowledged.get();
            assertEquals(0, dbx.run("bundle", "start", "io.eventdbx.graphql").exit());
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.get() < before + 20 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a condition with a deadline
            }
            running.set(false);
            writer.join(60_000);
            assertTrue(unexpected.isEmpty(), unexpected.toString());
            assertTrue(acknowledged.get() >= before + 20, "GraphQL answered again after the restart");
            JsonNode aggregate = expect(200, null, api.get("/v1/aggregates/patient/load", admin))
                    .body();
            // every acknowledged write is there; a write cut off while the bundle stopped may be there too
            assertTrue(aggregate.path("version").asLong() >= acknowledged.get(), aggregate + " " + acknowledged);
            assertTrue(aggregate.path("version").asLong() <= acknowledged.get() + refusedWhileDown.get());
            assertTrue(expect(200, null, api.get("/v1/aggregates/patient/load/verify", admin))
                    .body()
                    .path("ok")
                    .asBoolean());
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void theApiSelectionDecidesWhetherGraphqlIsServed() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start", "--api", "graphql").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            assertEquals(
                    0,
                    expect(200, null, graphql(api, admin, body("{ aggregates { version } }")))
                            .body()
                            .path("data")
                            .path("aggregates")
                            .size());
            // REST is not served: the listener's fallback answers that the API is not running
            assertEquals(503, api.get("/v1/aggregates", admin).status(), "REST is not served");
        } finally {
            dbx.run("stop");
        }
        assertEquals(0, dbx.run("start", "--api", "rest").exit());
        try {
            RestClient api = new RestClient(dbx.httpPort);
            String admin = token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            RestClient.Reply none = api.post("/graphql", admin, body("{ aggregates { version } }"));
            assertEquals(404, none.status(), none.raw()); // REST has the path and knows no such resource
            Dbx.Result bundles = dbx.run("bundle", "list", "--json");
            assertFalse(bundles.out().contains("io.eventdbx.graphql"), "no GraphQL bundle: " + bundles.out());
        } finally {
            dbx.run("stop");
        }
    }
}
