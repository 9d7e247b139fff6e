package io.eventdbx.access.api;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.ConsistencyProof;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventSink;
import io.eventdbx.api.InclusionProof;
import io.eventdbx.api.Page;
import io.eventdbx.api.SnapshotRecord;
import io.eventdbx.api.StagedEvent;
import io.eventdbx.api.Subscription;
import io.eventdbx.api.VerifyResult;
import io.eventdbx.token.api.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Every operation of the event store, for a caller: each checks what the caller may do (action and resource, see
 * {@code docs/tokens.md}) before the store is touched, attributes writes to the caller ({@code issued_by}), filters
 * listings to what the caller may read, applies the page sizes ({@code list_page_size}, {@code page_limit}) and
 * takes write allowances. Every failure is a {@link Refusal}; nothing else is thrown. Thread-safe.
 */
@ProviderType
public interface EventAccess {

    /**
     * Who a presented token stands for.
     *
     * @param token the token string (for HTTP, what follows {@code Bearer })
     * @return its holder
     * @throws Refusal UNAUTHENTICATED if there is none or it is refused, UNAVAILABLE if tokens cannot be checked
     */
    Principal authenticate(String token);

    /**
     * Who the token of an HTTP (or gRPC metadata) {@code Authorization: Bearer <token>} header stands for.
     *
     * @param authorizationHeader the header's value, or null if there is none
     * @return its holder
     * @throws Refusal UNAUTHENTICATED if there is no bearer token or it is refused
     */
    Principal authenticateBearer(String authorizationHeader);

    /**
     * Refuses unless the caller may act in an administrative area: the one check behind {@code dbx token}, {@code
     * dbx schema}, {@code dbx plugin}, {@code dbx queue} and whatever network surface offers the same.
     *
     * @param caller who asks
     * @param area what it wants to administer
     * @throws Refusal UNAUTHENTICATED if there is no caller, FORBIDDEN if its token does not allow the area
     */
    void authorize(Principal caller, Administration area);

    /**
     * Every current schema (needs {@code schema.read}).
     *
     * @param caller who asks
     * @return the schemas, as the seed's JSON shape
     * @throws Refusal UNAVAILABLE if schemas are not running
     */
    List<Map<String, Object>> schemas(Principal caller);

    /**
     * One schema (needs {@code schema.read}).
     *
     * @param caller who asks
     * @param name its name (the aggregate type)
     * @return the schema
     * @throws Refusal NOT_FOUND if there is none by that name, UNAVAILABLE if schemas are not running
     */
    Map<String, Object> schema(Principal caller, String name);

    /**
     * Appends an event, attributed to the caller (the request's {@code issuedBy} is replaced), once durable. A retry
     * of a committed write (the same client event id) is answered with the original record, costs no allowance and
     * is answered even when the allowance is spent.
     *
     * @param caller who asks
     * @param request the event
     * @return the durable record; the stage fails with a {@link Refusal}
     * @throws Refusal for what is refused before the write is queued
     */
    CompletionStage<EventRecord> append(Principal caller, AppendRequest request);

    /**
     * Appends several events in one atomic write, all or none, each attributed to the caller, who must be allowed to
     * append to every aggregate of the batch. A limited token pays one write per event written, in the same batch.
     *
     * @param caller who asks
     * @param requests the events, in order (1 to 10,000)
     * @return the durable records in order; the stage fails with a {@link Refusal} whose detail {@code index} names
     *     the event refused, and then nothing is written
     * @throws Refusal for what is refused before the batch is queued
     */
    CompletionStage<List<EventRecord>> appendAll(Principal caller, List<AppendRequest> requests);

    /**
     * Validates an event and queues it in the store instead of appending it; attributed like {@link #append}.
     *
     * @param caller who asks
     * @param request the event
     * @return the staged event
     */
    StagedEvent stage(Principal caller, AppendRequest request);

    /**
     * The staged events the caller may read, in order.
     *
     * @param caller who asks
     * @return the staged events
     */
    List<StagedEvent> staged(Principal caller);

    /**
     * Appends every staged event in one atomic write; the caller must be allowed to append to each aggregate.
     *
     * @param caller who asks
     * @return the records
     */
    List<EventRecord> commitStaged(Principal caller);

    /**
     * Creates an aggregate with no events.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @return its state, version 0
     */
    AggregateState create(Principal caller, String aggregateType, String aggregateId);

    /**
     * The current state of an aggregate.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @return the state
     * @throws Refusal NOT_FOUND if it does not exist
     */
    AggregateState get(Principal caller, String aggregateType, String aggregateId);

    /**
     * The state of an aggregate as of a version.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @param version the version, 1 or more
     * @return the state then
     */
    AggregateState getAt(Principal caller, String aggregateType, String aggregateId, long version);

    /**
     * A page of the aggregates the caller may read, in type and id order. The cursor continues the full listing, so a
     * filtered page may hold fewer items than asked for.
     *
     * @param caller who asks
     * @param cursor the previous page's next cursor, or null
     * @param skip how many to skip first (0 or more)
     * @param take the page size, or null for {@code list_page_size}; capped at {@code page_limit}
     * @return the page
     */
    Page<AggregateState> list(Principal caller, String cursor, long skip, Integer take);

    /**
     * A page of the aggregates of one type the caller may read, ordered by id.
     *
     * @param caller who asks
     * @param aggregateType the type, or null for every type
     * @param cursor the cursor of the previous page of the same listing, or null
     * @param skip aggregates to skip first
     * @param take the page size, or null for the default; at most the configured page limit
     * @return the page
     * @since 1.2
     */
    Page<AggregateState> list(Principal caller, String aggregateType, String cursor, long skip, Integer take);

    /**
     * An aggregate's events in version order.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @param skip how many to skip (0 or more)
     * @param take how many at most, or null for {@code list_page_size}; capped at {@code page_limit}
     * @return the events
     * @throws Refusal NOT_FOUND if the aggregate does not exist
     */
    List<EventRecord> events(Principal caller, String aggregateType, String aggregateId, long skip, Integer take);

    /**
     * A page of the global log: the events from a position that the caller may read and the filter matches.
     *
     * @param caller who asks
     * @param fromPosition the first position to look at (1 or more)
     * @param take how many positions to look at, or null for {@code list_page_size}; capped at {@code page_limit}
     * @param filter which events, or null for all
     * @return the page, with the position to read on from
     */
    LogPage feed(Principal caller, long fromPosition, Integer take, EventFilter filter);

    /**
     * Subscribes to the global log for a caller: every committed event from a position on that the caller may read
     * and the filter matches, in log order, then each new one as it becomes durable (see {@link
     * io.eventdbx.api.EventStore#subscribe}).
     *
     * @param caller who asks (needs {@code aggregate.read} on some aggregate)
     * @param fromPosition the first position to look at (1 or more)
     * @param filter which events, or null for all
     * @param sink where they go, on the subscription's own thread
     * @return the running subscription; close it to stop
     * @throws Refusal UNAVAILABLE when the store runs as many subscriptions as it can
     */
    Subscription subscribe(Principal caller, long fromPosition, EventFilter filter, EventSink sink);

    /**
     * Recomputes an aggregate's hashes and Merkle root from its stored events.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @return the result
     */
    VerifyResult verify(Principal caller, String aggregateType, String aggregateId);

    /**
     * An inclusion proof of a version in the tree of a size.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @param version the version proved
     * @param treeSize the tree size, or null for the current version
     * @return the proof
     */
    InclusionProof proveInclusion(
            Principal caller, String aggregateType, String aggregateId, long version, Long treeSize);

    /**
     * A consistency proof between two versions.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @param fromVersion the older version
     * @param toVersion the newer version
     * @return the proof
     */
    ConsistencyProof proveConsistency(
            Principal caller, String aggregateType, String aggregateId, long fromVersion, long toVersion);

    /**
     * Records a snapshot of an aggregate's current state.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @param comment why, or null
     * @return the snapshot
     */
    SnapshotRecord snapshot(Principal caller, String aggregateType, String aggregateId, String comment);

    /**
     * Archives (true) or restores (false) an aggregate.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     * @param archive whether to archive or to restore
     * @param comment why, or null
     * @return its state afterwards
     */
    AggregateState archive(Principal caller, String aggregateType, String aggregateId, boolean archive, String comment);

    /**
     * Removes an aggregate that has no events.
     *
     * @param caller who asks
     * @param aggregateType the type
     * @param aggregateId the id
     */
    void remove(Principal caller, String aggregateType, String aggregateId);

    /**
     * Why the store does not accept writes now, or empty when it does (readiness; no caller needed).
     *
     * @return the reason, or empty
     */
    Optional<String> unavailableReason();
}
