package io.eventdbx.graphql.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.ExecutionResult;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.Page;
import io.eventdbx.token.api.Principal;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The executable schema against a scripted access service that counts its calls. */
class EngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Principal CALLER = Principal.administrator("test");

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Function<Object[], Object>> answers = new ConcurrentHashMap<>();

    /** The access service: each method answers what the test scripted, and is counted. */
    private EventAccess door() {
        return (EventAccess) Proxy.newProxyInstance(
                EventAccess.class.getClassLoader(), new Class<?>[] {EventAccess.class}, (proxy, method, args) -> {
                    calls.computeIfAbsent(method.getName(), k -> new AtomicInteger())
                            .incrementAndGet();
                    Function<Object[], Object> answer = answers.get(method.getName());
                    if (answer == null) {
                        throw new UnsupportedOperationException("not scripted: " + method.getName());
                    }
                    return answer.apply(args);
                });
    }

    private Map<String, Object> run(String query) {
        Engine engine = new Engine(door(), io.eventdbx.views.StrictJson.mapper(), new Limits(12, 50_000, 30, 10));
        ExecutionResult result = engine.graphql().execute(engine.input(CALLER, query, Map.of(), null));
        return Errors.response(result);
    }

    private static AggregateState state(String type, String id, long version) {
        return new AggregateState(type, id, version, "{\"n\":" + version + "}", "ab".repeat(32), false, "t", "t", null);
    }

    private static EventRecord event(String type, String id, long version) {
        return new EventRecord(
                type,
                id,
                "seen",
                "{\"v\":" + version + "}",
                "e-" + version,
                "t",
                null,
                null,
                null,
                version,
                version,
                "cd".repeat(32),
                "ab".repeat(32));
    }

    @Test
    void anEventsAggregateIsReadOncePerAggregateInAResponse() throws Exception {
        answers.put("events", args -> List.of(event("t", "a", 1), event("t", "a", 2), event("t", "a", 3)));
        answers.put("get", args -> state((String) args[1], (String) args[2], 3));
        Map<String, Object> out =
                run("{ events(aggregate_type: \"t\", aggregate_id: \"a\") { version aggregate { version state } } }");
        assertFalse(out.containsKey("errors"), out.toString());
        String text = JSON.writeValueAsString(out);
        assertTrue(text.contains("\"state\":{\"n\":3}"), text); // the stored JSON, not a string
        assertEquals(1, calls.get("events").get());
        assertEquals(1, calls.get("get").get(), "one read for three events of one aggregate");
    }

    @Test
    void aListingsStatesAreNotReadAgainAndNestedEventsOnlyWhenAsked() {
        answers.put("list", args -> new Page<>(List.of(state("t", "a", 1), state("t", "b", 2)), null));
        answers.put("events", args -> List.of(event((String) args[1], (String) args[2], 1)));
        Map<String, Object> plain = run("{ aggregates(take: 2) { aggregate_id state } }");
        assertFalse(plain.containsKey("errors"), plain.toString());
        assertEquals(1, calls.get("list").get());
        assertTrue(calls.get("get") == null && calls.get("events") == null, calls.toString());
        Map<String, Object> nested = run("{ aggregates(take: 2) { aggregate_id events { version } } }");
        assertFalse(nested.containsKey("errors"), nested.toString());
        assertEquals(2, calls.get("events").get(), "each aggregate's events are its own read");
    }

    @Test
    void refusalsBecomeErrorsWithTheirCodeAndDetailsAndFailuresShowNoInternals() throws Exception {
        answers.put("events", args -> {
            throw new Refusal(Refusal.Code.WRITE_LIMIT_REACHED, "no writes left", Map.of("limit", "5"), null);
        });
        Map<String, Object> limited = run("{ events(aggregate_type: \"t\", aggregate_id: \"a\") { version } }");
        String text = JSON.writeValueAsString(limited);
        assertTrue(text.contains("\"code\":\"FORBIDDEN\"") && text.contains("\"limit\":\"5\""), text);
        assertTrue(text.contains("\"path\":[\"events\"]"), text);

        answers.put("verify", args -> {
            throw new IllegalStateException("boom at io.eventdbx.secret.Place");
        });
        Map<String, Object> failed = run("{ verify(aggregate_type: \"t\", aggregate_id: \"a\") { ok } }");
        String failure = JSON.writeValueAsString(failed);
        assertTrue(failure.contains("\"code\":\"INTERNAL\"") && failure.contains("error_id"), failure);
        assertFalse(
                failure.contains("boom") || failure.contains("IllegalState") || failure.contains("io.eventdbx"),
                failure);

        answers.put("get", args -> {
            throw new Refusal(Refusal.Code.NOT_FOUND, "no such aggregate");
        });
        Map<String, Object> missing = run("{ aggregate(aggregate_type: \"t\", aggregate_id: \"zz\") { version } }");
        assertEquals(Map.of("data", java.util.Collections.singletonMap("aggregate", null)), missing);
    }

    @Test
    void theEngineOwnErrorsHaveCodesAndLimitsSayTheirLimit() throws Exception {
        String syntax = JSON.writeValueAsString(run("{ aggregates( "));
        assertTrue(syntax.contains("GRAPHQL_PARSE_FAILED") && !syntax.contains("classification"), syntax);
        String unknown = JSON.writeValueAsString(run("{ nope }"));
        assertTrue(unknown.contains("GRAPHQL_VALIDATION_FAILED"), unknown);
        String overflow = JSON.writeValueAsString(
                run("{ aggregate(aggregate_type: \"t\", aggregate_id: \"a\", version: 9223372036854775808) { version }"
                        + " }"));
        assertTrue(overflow.contains("GRAPHQL_VALIDATION_FAILED"), overflow);
        String costly = JSON.writeValueAsString(run("{ aggregates(take: 500) { events(take: 500) { version } } }"));
        assertTrue(costly.contains("QUERY_TOO_COSTLY") && costly.contains("\"limit\":50000"), costly);
        assertTrue(calls.isEmpty(), "nothing was read for refused queries: " + calls);
        // the introspection query of GraphiQL and codegen tools nests deeper than the depth limit and still runs
        String introspection =
                JSON.writeValueAsString(run(graphql.introspection.IntrospectionQuery.INTROSPECTION_QUERY));
        assertTrue(introspection.contains("\"__schema\"") && !introspection.contains("errors"), introspection);
    }

    @Test
    void aliasesAreCountedOnceWhereTheyAreWritten() {
        assertEquals(0, Limits.aliases(graphql.parser.Parser.parse("{ aggregates { version } }")));
        assertEquals(
                3,
                Limits.aliases(graphql.parser.Parser.parse(
                        "query { a: aggregates { v: version ...F } } fragment F on Aggregate { s: state }")));
        assertEquals(2, Limits.aliases(graphql.parser.Parser.parse("{ ... on Query { x: schemas y: schemas } }")));
    }

    @Test
    void appendEventPassesThePayloadExactlyAndRefusesANonObject() {
        List<Object> seen = new ArrayList<>();
        answers.put("append", args -> {
            seen.add(args[1]);
            io.eventdbx.api.AppendRequest request = (io.eventdbx.api.AppendRequest) args[1];
            return java.util.concurrent.CompletableFuture.completedFuture(new EventRecord(
                    request.aggregateType(),
                    request.aggregateId(),
                    request.eventType(),
                    request.payloadJson(),
                    "e-1",
                    "t",
                    null,
                    request.note(),
                    null,
                    1,
                    1,
                    "cd".repeat(32),
                    "ab".repeat(32)));
        });
        Map<String, Object> out = run("mutation { appendEvent(input: {aggregate_type: \"t\", aggregate_id: \"a\","
                + " event_type: \"seen\", payload: {amount: 10.50, tags: [\"x\"], nested: {ok: true}}, note: \"n\","
                + " expected_version: 0}) { version payload metadata { note } } }");
        assertFalse(out.containsKey("errors"), out.toString());
        io.eventdbx.api.AppendRequest request = (io.eventdbx.api.AppendRequest) seen.get(0);
        assertEquals("{\"amount\":10.50,\"tags\":[\"x\"],\"nested\":{\"ok\":true}}", request.payloadJson());
        assertEquals(0L, request.expectedVersion());
        assertEquals(null, request.issuedBy(), "the door attributes the event");
        Map<String, Object> refused = run("mutation { appendEvent(input: {aggregate_type: \"t\", aggregate_id: \"a\","
                + " event_type: \"seen\", payload: \"text\"}) { version } }");
        assertNotNull(refused.get("errors"), refused.toString());
        assertTrue(refused.toString().contains("INVALID_ARGUMENT"), refused.toString());
        assertEquals(1, seen.size(), "the refused one never reached the door");
    }
}
