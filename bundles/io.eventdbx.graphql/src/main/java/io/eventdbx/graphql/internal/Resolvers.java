package io.eventdbx.graphql.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.EventFilter;
import io.eventdbx.access.api.LogPage;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.Page;
import io.eventdbx.token.api.Principal;
import io.eventdbx.views.RecordViews;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;
import org.dataloader.Try;

/**
 * The schema's fields, each a call of the access service for the request's caller: no permission, limit or
 * validation is decided here. Results are the same snake_case views as REST's, with states and payloads written as
 * stored.
 */
final class Resolvers {

    /** The key of the caller in a request's GraphQL context. */
    static final String CALLER = "eventdbx.caller";
    /** The loader of aggregates by type and id, per request. */
    static final String AGGREGATES = "aggregates";

    private final EventAccess door;
    private final ObjectMapper json;
    private final RecordViews views = new RecordViews(true);
    private final EventPublishers publishers;

    Resolvers(EventAccess door, ObjectMapper json, EventPublishers publishers) {
        this.door = door;
        this.json = json;
        this.publishers = publishers;
    }

    RuntimeWiring wiring() {
        return RuntimeWiring.newRuntimeWiring()
                .scalar(Scalars.JSON)
                .scalar(Scalars.LONG)
                .type("Query", type -> type.dataFetcher(
                                "aggregates",
                                e -> page(e).items().stream().map(views::state).toList())
                        .dataFetcher("aggregatesPage", e -> {
                            Page<AggregateState> page = page(e);
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put(
                                    "items",
                                    page.items().stream().map(views::state).toList());
                            out.put("next_cursor", page.nextCursor());
                            return out;
                        })
                        .dataFetcher("aggregate", this::aggregate)
                        .dataFetcher(
                                "events",
                                e -> events(e, e.getArgument("aggregate_type"), e.getArgument("aggregate_id")))
                        .dataFetcher(
                                "verify",
                                e -> views.verify(door.verify(
                                        caller(e), e.getArgument("aggregate_type"), e.getArgument("aggregate_id"))))
                        .dataFetcher(
                                "inclusionProof",
                                e -> views.inclusion(door.proveInclusion(
                                        caller(e),
                                        e.getArgument("aggregate_type"),
                                        e.getArgument("aggregate_id"),
                                        e.<Long>getArgument("version"),
                                        e.getArgument("tree_size"))))
                        .dataFetcher(
                                "consistencyProof",
                                e -> views.consistency(door.proveConsistency(
                                        caller(e),
                                        e.getArgument("aggregate_type"),
                                        e.getArgument("aggregate_id"),
                                        e.<Long>getArgument("from_version"),
                                        e.<Long>getArgument("to_version"))))
                        .dataFetcher("schemas", e -> door.schemas(caller(e)))
                        .dataFetcher("schema", e -> {
                            try {
                                return door.schema(caller(e), e.getArgument("aggregate_type"));
                            } catch (Refusal r) {
                                if (r.code() == Refusal.Code.NOT_FOUND) {
                                    return null;
                                }
                                throw r;
                            }
                        })
                        .dataFetcher("log", this::log))
                .type("Mutation", type -> type.dataFetcher("appendEvent", this::append)
                        .dataFetcher(
                                "snapshot",
                                e -> views.snapshot(door.snapshot(
                                        caller(e),
                                        e.getArgument("aggregate_type"),
                                        e.getArgument("aggregate_id"),
                                        e.getArgument("comment"))))
                        .dataFetcher("archive", e -> archive(e, true))
                        .dataFetcher("restore", e -> archive(e, false)))
                .type(
                        "Subscription",
                        type -> type.dataFetcher(
                                "events", e -> publishers.events(caller(e), e.getArgument("from"), filter(e))))
                .type(
                        "Aggregate",
                        type -> type.dataFetcher("events", e -> {
                            Map<String, Object> aggregate = e.getSource();
                            return events(e, (String) aggregate.get("aggregate_type"), (String)
                                    aggregate.get("aggregate_id"));
                        }))
                .type(
                        "Event",
                        type -> type.dataFetcher("aggregate", e -> {
                            Map<String, Object> event = e.getSource();
                            DataLoader<List<String>, Map<String, Object>> loader = e.getDataLoader(AGGREGATES);
                            return loader.load(
                                    List.of((String) event.get("aggregate_type"), (String) event.get("aggregate_id")));
                        }))
                .build();
    }

    /**
     * The loaders of one request: an event's aggregate is read once per aggregate however many of its events a
     * response holds (the loader keeps what it read for the request).
     */
    DataLoaderRegistry loaders(Principal caller) {
        DataLoader<List<String>, Map<String, Object>> aggregates =
                DataLoaderFactory.newDataLoaderWithTry((List<List<String>> keys) -> {
                    // one aggregate's refusal (not allowed to read it) fails its own fields, not the others'
                    List<Try<Map<String, Object>>> out = new ArrayList<>(keys.size());
                    for (List<String> key : keys) {
                        out.add(Try.tryCall(() -> orNull(() -> views.state(door.get(caller, key.get(0), key.get(1))))));
                    }
                    return CompletableFuture.completedFuture(out);
                });
        return DataLoaderRegistry.newRegistry().register(AGGREGATES, aggregates).build();
    }

    static Principal caller(DataFetchingEnvironment e) {
        return e.getGraphQlContext().get(CALLER);
    }

    private Page<AggregateState> page(DataFetchingEnvironment e) {
        return door.list(
                caller(e), e.getArgument("aggregate_type"), e.getArgument("cursor"), skip(e), e.getArgument("take"));
    }

    private static long skip(DataFetchingEnvironment e) {
        Integer skip = e.getArgument("skip");
        return skip == null ? 0 : skip;
    }

    private Object aggregate(DataFetchingEnvironment e) {
        Principal caller = caller(e);
        String type = e.getArgument("aggregate_type");
        String id = e.getArgument("aggregate_id");
        Long version = e.getArgument("version");
        return orNull(() ->
                views.state(version == null ? door.get(caller, type, id) : door.getAt(caller, type, id, version)));
    }

    private List<Map<String, Object>> events(DataFetchingEnvironment e, String type, String id) {
        return door.events(caller(e), type, id, skip(e), e.getArgument("take")).stream()
                .map(views::event)
                .toList();
    }

    private Map<String, Object> log(DataFetchingEnvironment e) {
        Long from = e.getArgument("from");
        LogPage page = door.feed(caller(e), from == null ? 1 : from, e.getArgument("take"), filter(e));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("events", page.items().stream().map(views::event).toList());
        out.put("next_position", page.nextPosition());
        return out;
    }

    private static EventFilter filter(DataFetchingEnvironment e) {
        return new EventFilter(
                e.getArgument("aggregate_type"), e.getArgument("aggregate_id"), e.getArgument("event_type"));
    }

    private Map<String, Object> archive(DataFetchingEnvironment e, boolean archive) {
        return views.state(door.archive(
                caller(e),
                e.getArgument("aggregate_type"),
                e.getArgument("aggregate_id"),
                archive,
                e.getArgument("comment")));
    }

    /** {@code appendEvent}: answered when the event is durable, without holding a thread meanwhile. */
    private CompletableFuture<Map<String, Object>> append(DataFetchingEnvironment e) {
        Map<String, Object> input = e.getArgument("input");
        Object payload = input.get("payload");
        if (!(payload instanceof Map)) {
            throw new Refusal(Refusal.Code.INVALID_ARGUMENT, "input.payload must be a JSON object");
        }
        String payloadJson;
        try {
            payloadJson = json.writeValueAsString(payload);
        } catch (JsonProcessingException ex) {
            throw new Refusal(Refusal.Code.INVALID_ARGUMENT, "input.payload cannot be written as JSON");
        }
        AppendRequest request = new AppendRequest(
                (String) input.get("aggregate_type"),
                (String) input.get("aggregate_id"),
                (String) input.get("event_type"),
                payloadJson,
                (String) input.get("note"),
                (Long) input.get("expected_version"),
                (String) input.get("event_id"),
                null); // the door attributes the event to the caller
        return door.append(caller(e), request).toCompletableFuture().thenApply(views::event);
    }

    /** A read that answers null for what does not exist (the schema's nullable single-object fields). */
    private static Map<String, Object> orNull(java.util.function.Supplier<Map<String, Object>> read) {
        try {
            return read.get();
        } catch (Refusal r) {
            if (r.code() == Refusal.Code.NOT_FOUND) {
                return null;
            }
            throw r;
        }
    }
}
