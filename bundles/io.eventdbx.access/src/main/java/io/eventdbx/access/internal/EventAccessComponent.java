package io.eventdbx.access.internal;

import io.eventdbx.access.api.Administration;
import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.EventFilter;
import io.eventdbx.access.api.LogPage;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.ConsistencyProof;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.EventStore;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.InclusionProof;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.Page;
import io.eventdbx.api.SnapshotRecord;
import io.eventdbx.api.StagedEvent;
import io.eventdbx.api.Subscription;
import io.eventdbx.api.VerifyResult;
import io.eventdbx.api.WriteCharge;
import io.eventdbx.schema.api.SchemaCatalog;
import io.eventdbx.token.api.Actions;
import io.eventdbx.token.api.Principal;
import io.eventdbx.token.api.TokenException;
import io.eventdbx.token.api.TokenService;
import io.eventdbx.token.api.WriteAllowance;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one door to the event store: see {@link EventAccess}. Page sizes ({@code list_page_size}, {@code page_limit})
 * change live ({@link Modified}), without reactivating anything.
 */
@Component(configurationPid = "io.eventdbx.access", configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class EventAccessComponent implements EventAccess {

    /** The default page when nothing is configured (the seed's {@code list_page_size}). */
    static final int DEFAULT_PAGE_SIZE = 10;
    /** The largest page when nothing is configured (the seed's {@code page_limit}). */
    static final int DEFAULT_PAGE_LIMIT = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(EventAccessComponent.class);

    private final EventStore store;
    private final TokenService tokens;
    // Optional and dynamic: without the schema bundle the schema reads are UNAVAILABLE, everything else goes on.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SchemaCatalog schemaCatalog;

    private volatile int listPageSize;
    private volatile int pageLimit;

    /**
     * Creates the service.
     *
     * @param store the event store
     * @param tokens authenticates tokens and keeps write allowances
     * @param config the runtime configuration: {@code list_page_size}, {@code page_limit}
     */
    @Activate
    public EventAccessComponent(
            @Reference EventStore store, @Reference TokenService tokens, Map<String, Object> config) {
        this.store = store;
        this.tokens = tokens;
        modified(config);
    }

    /**
     * Applies changed page sizes at once.
     *
     * @param config the runtime configuration
     */
    @Modified
    void modified(Map<String, Object> config) {
        this.listPageSize = positive(config.get("list_page_size"), DEFAULT_PAGE_SIZE);
        this.pageLimit = positive(config.get("page_limit"), DEFAULT_PAGE_LIMIT);
    }

    private static int positive(Object value, int fallback) {
        return value instanceof Number n && n.intValue() > 0 ? n.intValue() : fallback;
    }

    // ------------------------------------------------------------------ authentication

    @Override
    public Principal authenticate(String token) {
        return guard(() -> tokens.authenticate(token));
    }

    @Override
    public Principal authenticateBearer(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Refusal(
                    Refusal.Code.UNAUTHENTICATED, "unauthenticated: send the token as 'Authorization: Bearer <token>'");
        }
        return authenticate(authorizationHeader.substring(7).strip());
    }

    // ------------------------------------------------------------------ schemas

    @Override
    public void authorize(Principal caller, Administration area) {
        requireGlobal(
                caller,
                switch (area) {
                    case TOKENS -> Actions.TOKEN_MANAGE;
                    case SCHEMA_READ -> Actions.SCHEMA_READ;
                    case SCHEMA_WRITE -> Actions.SCHEMA_WRITE;
                    case PLUGINS -> Actions.PLUGIN_MANAGE;
                });
    }

    @Override
    public List<Map<String, Object>> schemas(Principal caller) {
        requireGlobal(caller, Actions.SCHEMA_READ);
        return guard(() -> catalog().schemas());
    }

    @Override
    public Map<String, Object> schema(Principal caller, String name) {
        requireGlobal(caller, Actions.SCHEMA_READ);
        return guard(() -> catalog().schema(name))
                .orElseThrow(() -> new Refusal(Refusal.Code.NOT_FOUND, "there is no schema '" + name + "'"));
    }

    private SchemaCatalog catalog() {
        SchemaCatalog catalog = schemaCatalog;
        if (catalog == null) {
            throw new Refusal(Refusal.Code.UNAVAILABLE, "schemas are unavailable: the schema bundle is not running");
        }
        return catalog;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public CompletionStage<EventRecord> append(Principal caller, AppendRequest request) {
        AppendRequest attributed = attributed(caller, request);
        requireOn(caller, Actions.AGGREGATE_APPEND, attributed.aggregateType(), attributed.aggregateId());
        // The write allowance is paid inside the group commit, in the event's own batch (see WriteAllowance), once
        // the store knows the event is written: a retry of a committed write (same event id) is answered there with
        // its original record before anything is taken, so it is free even when the allowance is spent.
        WriteCharge charge = charge(guard(() -> tokens.allowance(caller)));
        return refusing(() -> store.appendAsync(attributed, charge));
    }

    /** A write's stage, whose failures (and the failure to queue it) are refusals. */
    private static <T> CompletionStage<T> refusing(java.util.function.Supplier<CompletionStage<T>> write) {
        try {
            return write.get().handle((value, failure) -> {
                if (failure == null) {
                    return value;
                }
                throw refusal(
                        failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause()
                                : failure);
            });
        } catch (RuntimeException e) {
            throw refusal(e);
        }
    }

    @Override
    public CompletionStage<List<EventRecord>> appendAll(Principal caller, List<AppendRequest> requests) {
        if (requests == null || requests.isEmpty()) {
            throw new Refusal(Refusal.Code.INVALID_ARGUMENT, "a batch needs at least one event");
        }
        List<AppendRequest> attributed = new java.util.ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            AppendRequest request = attributed(caller, requests.get(i));
            try {
                requireOn(caller, Actions.AGGREGATE_APPEND, request.aggregateType(), request.aggregateId());
            } catch (Refusal refusal) {
                Map<String, String> details = new java.util.LinkedHashMap<>(refusal.details());
                details.put("index", Integer.toString(i));
                throw new Refusal(
                        refusal.code(),
                        "event " + i + " of the batch: " + refusal.getMessage() + "; nothing was written",
                        details,
                        null);
            }
            attributed.add(request);
        }
        WriteCharge charge = charge(guard(() -> tokens.allowance(caller)));
        return refusing(() -> store.appendAllAsync(attributed, charge));
    }

    /** The store's charge for a token's allowance: a spent allowance is the store's WRITE_LIMIT_REACHED. */
    private static WriteCharge charge(WriteAllowance allowance) {
        if (allowance == null) {
            return null;
        }
        return new WriteCharge() {
            @Override
            public Map.Entry<byte[], byte[]> take() {
                try {
                    return allowance.take();
                } catch (TokenException e) {
                    throw new EventStoreException(
                            e.reason() == TokenException.Reason.WRITE_LIMIT_REACHED
                                    ? EventStoreException.Code.WRITE_LIMIT_REACHED
                                    : EventStoreException.Code.UNAVAILABLE,
                            e.getMessage());
                }
            }

            @Override
            public void giveBack() {
                allowance.giveBack();
            }
        };
    }

    @Override
    public StagedEvent stage(Principal caller, AppendRequest request) {
        AppendRequest attributed = attributed(caller, request);
        requireOn(caller, Actions.AGGREGATE_APPEND, attributed.aggregateType(), attributed.aggregateId());
        guard(() -> {
            tokens.consumeWrites(caller, 1);
            return null;
        });
        try {
            return store.stage(attributed);
        } catch (RuntimeException e) {
            refund(caller);
            throw refusal(e);
        }
    }

    @Override
    public List<StagedEvent> staged(Principal caller) {
        requireAny(caller, Actions.AGGREGATE_READ);
        return guard(() -> store.staged().stream()
                .filter(s -> caller.allows(
                        Actions.AGGREGATE_READ,
                        Actions.aggregate(
                                s.request().aggregateType(), s.request().aggregateId())))
                .toList());
    }

    @Override
    public List<EventRecord> commitStaged(Principal caller) {
        return guard(() -> {
            for (StagedEvent staged : store.staged()) {
                requireOn(
                        caller,
                        Actions.AGGREGATE_APPEND,
                        staged.request().aggregateType(),
                        staged.request().aggregateId());
            }
            return store.commitStaged();
        });
    }

    @Override
    public AggregateState create(Principal caller, String aggregateType, String aggregateId) {
        requireOn(caller, Actions.AGGREGATE_APPEND, aggregateType, aggregateId);
        return guard(() -> store.create(aggregateType, aggregateId));
    }

    @Override
    public void remove(Principal caller, String aggregateType, String aggregateId) {
        requireOn(caller, Actions.AGGREGATE_ARCHIVE, aggregateType, aggregateId);
        guard(() -> {
            store.remove(aggregateType, aggregateId);
            return null;
        });
    }

    @Override
    public AggregateState archive(
            Principal caller, String aggregateType, String aggregateId, boolean archive, String comment) {
        requireOn(caller, Actions.AGGREGATE_ARCHIVE, aggregateType, aggregateId);
        return guard(() -> archive
                ? store.archive(aggregateType, aggregateId, comment)
                : store.restore(aggregateType, aggregateId, comment));
    }

    @Override
    public SnapshotRecord snapshot(Principal caller, String aggregateType, String aggregateId, String comment) {
        requireOn(caller, Actions.AGGREGATE_SNAPSHOT, aggregateType, aggregateId);
        return guard(() -> store.snapshot(aggregateType, aggregateId, comment));
    }

    // ------------------------------------------------------------------ reads

    @Override
    public AggregateState get(Principal caller, String aggregateType, String aggregateId) {
        requireOn(caller, Actions.AGGREGATE_READ, aggregateType, aggregateId);
        return existing(aggregateType, aggregateId);
    }

    @Override
    public AggregateState getAt(Principal caller, String aggregateType, String aggregateId, long version) {
        requireOn(caller, Actions.AGGREGATE_READ, aggregateType, aggregateId);
        return guard(() -> store.getAt(aggregateType, aggregateId, version));
    }

    @Override
    public Page<AggregateState> list(Principal caller, String cursor, long skip, Integer take) {
        return list(caller, null, cursor, skip, take);
    }

    @Override
    public Page<AggregateState> list(Principal caller, String aggregateType, String cursor, long skip, Integer take) {
        requireAny(caller, Actions.AGGREGATE_READ);
        int size = pageSize(take);
        Page<AggregateState> page = guard(() -> store.list(aggregateType, cursor, skip, size));
        if (caller.isAdministrator()) {
            return page;
        }
        return new Page<>(
                page.items().stream()
                        .filter(s -> caller.allows(
                                Actions.AGGREGATE_READ, Actions.aggregate(s.aggregateType(), s.aggregateId())))
                        .toList(),
                page.nextCursor());
    }

    @Override
    public List<EventRecord> events(
            Principal caller, String aggregateType, String aggregateId, long skip, Integer take) {
        requireOn(caller, Actions.AGGREGATE_READ, aggregateType, aggregateId);
        int size = pageSize(take);
        List<EventRecord> events = guard(() -> store.events(aggregateType, aggregateId, skip, size));
        if (events.isEmpty()) {
            existing(aggregateType, aggregateId); // an aggregate past its end has no more events; none is a 404
        }
        return events;
    }

    @Override
    public LogPage feed(Principal caller, long fromPosition, Integer take, EventFilter filter) {
        requireAny(caller, Actions.AGGREGATE_READ);
        int size = pageSize(take);
        EventFilter wanted = filter == null ? EventFilter.ALL : filter;
        List<EventRecord> rows = guard(() -> store.log(fromPosition, size));
        long next = rows.isEmpty() ? fromPosition : rows.get(rows.size() - 1).position() + 1;
        return new LogPage(
                rows.stream().filter(e -> readable(caller, wanted, e)).toList(), next);
    }

    @Override
    public Subscription subscribe(Principal caller, long fromPosition, EventFilter filter, EventSink sink) {
        requireAny(caller, Actions.AGGREGATE_READ);
        EventFilter wanted = filter == null ? EventFilter.ALL : filter;
        // a subscription outlives the request that opened it: it ends when its token is revoked or expires
        return guard(() -> store.subscribe(
                fromPosition,
                e -> {
                    if (!tokens.isActive(caller)) {
                        throw new Refusal(
                                Refusal.Code.UNAUTHENTICATED,
                                "unauthenticated: the subscription's token was revoked or has expired");
                    }
                    return readable(caller, wanted, e);
                },
                sink));
    }

    /** Whether the caller may read an event and the filter wants it. */
    private static boolean readable(Principal caller, EventFilter filter, EventRecord event) {
        return filter.matches(event)
                && caller.allows(Actions.AGGREGATE_READ, Actions.aggregate(event.aggregateType(), event.aggregateId()));
    }

    @Override
    public VerifyResult verify(Principal caller, String aggregateType, String aggregateId) {
        requireOn(caller, Actions.AGGREGATE_READ, aggregateType, aggregateId);
        return guard(() -> store.verify(aggregateType, aggregateId));
    }

    @Override
    public InclusionProof proveInclusion(
            Principal caller, String aggregateType, String aggregateId, long version, Long treeSize) {
        requireOn(caller, Actions.AGGREGATE_READ, aggregateType, aggregateId);
        long size = treeSize != null
                ? treeSize
                : existing(aggregateType, aggregateId).version();
        return guard(() -> store.proveInclusion(aggregateType, aggregateId, version, size));
    }

    @Override
    public ConsistencyProof proveConsistency(
            Principal caller, String aggregateType, String aggregateId, long fromVersion, long toVersion) {
        requireOn(caller, Actions.AGGREGATE_READ, aggregateType, aggregateId);
        return guard(() -> store.proveConsistency(aggregateType, aggregateId, fromVersion, toVersion));
    }

    @Override
    public Optional<String> unavailableReason() {
        return store.unavailableReason();
    }

    // ------------------------------------------------------------------ policy

    /** The request as the caller's: {@code issued_by} is who the token stands for, whatever the request said. */
    private static AppendRequest attributed(Principal caller, AppendRequest request) {
        if (caller == null) {
            throw new Refusal(Refusal.Code.UNAUTHENTICATED, "unauthenticated: no caller");
        }
        if (request == null) {
            throw new Refusal(Refusal.Code.INVALID_ARGUMENT, "no event was given");
        }
        return new AppendRequest(
                request.aggregateType(),
                request.aggregateId(),
                request.eventType(),
                request.payloadJson(),
                request.note(),
                request.expectedVersion(),
                request.eventId(),
                new IssuedBy(caller.group(), caller.user()));
    }

    /** The page size: the configured default when none is asked for, never more than the configured limit. */
    int pageSize(Integer take) {
        if (take == null) {
            return Math.min(listPageSize, pageLimit);
        }
        if (take < 1) {
            throw new Refusal(Refusal.Code.INVALID_ARGUMENT, "take must be 1 or more");
        }
        return Math.min(take, pageLimit);
    }

    private AggregateState existing(String aggregateType, String aggregateId) {
        return guard(() -> store.get(aggregateType, aggregateId))
                .orElseThrow(() -> new Refusal(
                        Refusal.Code.NOT_FOUND, "aggregate " + aggregateType + "/" + aggregateId + " does not exist"));
    }

    private static void requireOn(Principal caller, String action, String aggregateType, String aggregateId) {
        check(caller, who -> who.require(action, Actions.aggregate(aggregateType, aggregateId)));
    }

    /** Refuses unless the caller may do an action that is not about one aggregate (administration). */
    private static void requireGlobal(Principal caller, String action) {
        check(caller, who -> who.require(action, null));
    }

    /** Refuses unless the caller may do an action on some aggregate (listings, which are then filtered). */
    private static void requireAny(Principal caller, String action) {
        check(caller, who -> who.requireAny(action));
    }

    private static void check(Principal caller, java.util.function.Consumer<Principal> rule) {
        if (caller == null) {
            throw new Refusal(Refusal.Code.UNAUTHENTICATED, "unauthenticated: no caller");
        }
        guard(() -> {
            rule.accept(caller);
            return null;
        });
    }

    private void refund(Principal caller) {
        try {
            tokens.refundWrites(caller, 1);
        } catch (RuntimeException e) {
            // the write was refused anyway; the allowance is short by one until the token is refreshed
            LOG.warn("could not give back a write allowance of {}/{}: {}", caller.group(), caller.user(), e.toString());
        }
    }

    /** Runs a call and turns whatever it throws into a {@link Refusal}. */
    private static <T> T guard(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw refusal(e);
        }
    }

    /** The refusal for a failure: by the failure's type and code, never by its message. */
    static Refusal refusal(Throwable failure) {
        if (failure instanceof Refusal refusal) {
            return refusal;
        }
        if (failure instanceof EventStoreException e) {
            Refusal.Code code =
                    switch (e.code()) {
                        case INVALID_ARGUMENT -> Refusal.Code.INVALID_ARGUMENT;
                        case NOT_FOUND -> Refusal.Code.NOT_FOUND;
                        case CONFLICT -> Refusal.Code.CONFLICT;
                        case ARCHIVED -> Refusal.Code.ARCHIVED;
                        case NOT_EMPTY -> Refusal.Code.NOT_EMPTY;
                        case INTEGRITY -> Refusal.Code.INTEGRITY;
                        case UNAVAILABLE -> Refusal.Code.UNAVAILABLE;
                        case SCHEMA_VIOLATION -> Refusal.Code.SCHEMA_VIOLATION;
                        case PAYLOAD_TOO_LARGE -> Refusal.Code.PAYLOAD_TOO_LARGE;
                        case WRITE_LIMIT_REACHED -> Refusal.Code.WRITE_LIMIT_REACHED;
                    };
            return new Refusal(code, e.getMessage(), e.details(), e);
        }
        if (failure instanceof TokenException e) {
            Refusal.Code code =
                    switch (e.reason()) {
                        case UNAUTHENTICATED -> Refusal.Code.UNAUTHENTICATED;
                        case FORBIDDEN -> Refusal.Code.FORBIDDEN;
                        case WRITE_LIMIT_REACHED -> Refusal.Code.WRITE_LIMIT_REACHED;
                        case INVALID -> Refusal.Code.INVALID_ARGUMENT;
                        case UNAVAILABLE -> Refusal.Code.UNAVAILABLE;
                    };
            return new Refusal(code, e.getMessage(), Map.of(), e);
        }
        // token or schema storage failed to read or write (an I/O error wrapped in an unchecked exception): the
        // request may succeed later; the cause goes to the log, not to the caller
        LOG.error("a request failed unexpectedly", failure);
        return new Refusal(
                Refusal.Code.UNAVAILABLE,
                "the request cannot be served now (" + failure.getClass().getSimpleName() + "); see the server log",
                Map.of(),
                failure);
    }
}
