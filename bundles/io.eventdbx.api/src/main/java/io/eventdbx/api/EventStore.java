package io.eventdbx.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The event store. Thread-safe; every method blocks until done. A write returns only after the storage sync
 * that holds it: an acknowledged event survives a crash. Writes to one aggregate are applied in the order
 * they are accepted; writes to different aggregates proceed together.
 *
 * <p>Every refusal is an {@link EventStoreException} with a stable code; nothing is written by a refused
 * request.
 */
@ProviderType
public interface EventStore {

    /**
     * Appends one event.
     *
     * @param request the event
     * @return the committed record; for a retried {@code eventId}, the original record (nothing written)
     */
    EventRecord append(AppendRequest request);

    /**
     * Appends one event without blocking the caller, for servers that answer many clients with few threads.
     * Same checks and durability as {@link #append}: the stage completes after the storage sync that holds the
     * event, or exceptionally with an {@link EventStoreException} (nothing written).
     *
     * <p>The stage may complete on one of the store's own threads, which every other write waits for: dependent
     * actions must be quick and must not block (hand responses to an executor).
     *
     * @param request the event
     * @return the committed record; for a retried {@code eventId}, the original record (nothing written)
     * @since 1.3
     */
    default CompletionStage<EventRecord> appendAsync(AppendRequest request) {
        try {
            return CompletableFuture.completedFuture(append(request));
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Appends an event whose writer pays for it inside the group commit: the charge is taken on the commit thread once
     * the event is certain to be written (a retry of a committed write costs nothing) and recorded in the same atomic
     * batch as the event; it is given back if the event is not written after all.
     *
     * @param request the event
     * @param charge what the event costs its writer, or null for nothing
     * @return the durable record; fails with WRITE_LIMIT_REACHED when the charge cannot be paid
     * @since 1.5
     */
    default CompletionStage<EventRecord> appendAsync(AppendRequest request, WriteCharge charge) {
        if (charge != null) {
            return CompletableFuture.failedFuture(new EventStoreException(
                    EventStoreException.Code.UNAVAILABLE, "this store cannot take charged writes"));
        }
        return appendAsync(request);
    }

    /**
     * Appends several events in one atomic write, in order: all of them are written or none is (the way a commit
     * of staged events is). Events may go to one aggregate or to many; a later event sees the earlier ones (its
     * expected version counts them). A retried event id in the batch is answered with its original record and
     * writes nothing. The charge is paid once per event written, in the same atomic batch.
     *
     * @param requests the events, 1 or more
     * @param charge what each event costs its writer, or null for nothing
     * @return the durable records, in the order of the requests; fails with the refusal of the first event that
     *     could not be written (its position in the batch in the detail {@code index}), and then nothing is written
     * @since 1.7
     */
    default CompletionStage<List<EventRecord>> appendAllAsync(List<AppendRequest> requests, WriteCharge charge) {
        return CompletableFuture.failedFuture(new EventStoreException(
                EventStoreException.Code.UNAVAILABLE, "this store cannot append a batch atomically"));
    }

    /**
     * Creates an aggregate with no events (version 0).
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @return its state
     */
    AggregateState create(String aggregateType, String aggregateId);

    /**
     * The current state.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @return the state, or empty if the aggregate does not exist
     */
    Optional<AggregateState> get(String aggregateType, String aggregateId);

    /**
     * The state as of a version.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @param version 0 up to the current version
     * @return the state at that version
     */
    AggregateState getAt(String aggregateType, String aggregateId, long version);

    /**
     * A page of aggregates ordered by type, then id. The cost of a page does not depend on how many
     * aggregates exist when a cursor is used.
     *
     * @param cursor the cursor from the previous page, or null for the first page
     * @param skip aggregates to skip first
     * @param take the page size
     * @return the page
     */
    Page<AggregateState> list(String cursor, long skip, int take);

    /**
     * A page of the aggregates of one type, ordered by id; reads only that type's part of the index.
     *
     * @param aggregateType the type, or null for every type (then as {@link #list(String, long, int)})
     * @param cursor the cursor from the previous page of the same listing, or null for the first page
     * @param skip aggregates to skip first
     * @param take the page size
     * @return the page
     * @since 1.8
     */
    Page<AggregateState> list(String aggregateType, String cursor, long skip, int take);

    /**
     * An aggregate's events in version order.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @param skip events to skip (from version 1)
     * @param take the most to return
     * @return the events
     */
    List<EventRecord> events(String aggregateType, String aggregateId, long skip, int take);

    /**
     * The global log: every committed event in commit order.
     *
     * @param fromPosition the first position, from 1
     * @param take the most to return
     * @return the events
     */
    List<EventRecord> log(long fromPosition, int take);

    /**
     * Recomputes every event hash and the Merkle root from the stored events.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @return the result; a mismatch is a result, not an exception
     */
    VerifyResult verify(String aggregateType, String aggregateId);

    /**
     * Proves that an event is in the aggregate's tree of a given size.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @param version the event's version
     * @param treeSize the tree size, at least {@code version}, at most the current version
     * @return the proof
     */
    InclusionProof proveInclusion(String aggregateType, String aggregateId, long version, long treeSize);

    /**
     * Proves that the aggregate's history at {@code fromVersion} is a prefix of that at {@code toVersion}.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @param fromVersion the earlier version
     * @param toVersion the later version, at most the current one
     * @return the proof
     */
    ConsistencyProof proveConsistency(String aggregateType, String aggregateId, long fromVersion, long toVersion);

    /**
     * Archives an aggregate: it keeps all data and takes no more events until restored.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @param comment why, or null
     * @return its state
     */
    AggregateState archive(String aggregateType, String aggregateId, String comment);

    /**
     * Restores an archived aggregate.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @param comment why, or null
     * @return its state
     */
    AggregateState restore(String aggregateType, String aggregateId, String comment);

    /**
     * Records the aggregate's current state as a snapshot.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     * @param comment why, or null
     * @return the snapshot
     */
    SnapshotRecord snapshot(String aggregateType, String aggregateId, String comment);

    /**
     * Validates an event and queues it durably (in the store) without appending it.
     *
     * @param request the event
     * @return the queued event
     */
    StagedEvent stage(AppendRequest request);

    /**
     * The queue of staged events, in order.
     *
     * @return the staged events
     */
    List<StagedEvent> staged();

    /**
     * Appends every staged event, across aggregates, in one atomic write: all of them or none (every check,
     * expected versions included, is made against the versions the earlier staged events produce). The queue
     * is emptied by the same write.
     *
     * @return the committed records, in queue order; empty if nothing was staged
     */
    List<EventRecord> commitStaged();

    /**
     * Removes an aggregate that has no events.
     *
     * @param aggregateType the type
     * @param aggregateId the id
     */
    void remove(String aggregateType, String aggregateId);

    /**
     * Subscribes to the global log: delivers to the sink, on a thread of the subscription's own, every committed event
     * from a position on that the filter accepts, in log order and each once, then follows new commits as they become
     * durable, without polling. Appends never wait for a subscriber: one that falls behind reads the log at its own
     * pace, with bounded memory.
     *
     * @param fromPosition the first position to look at (1 for the whole log)
     * @param filter which events to deliver (it runs on the subscription's thread)
     * @param sink where to deliver them
     * @return the running subscription
     * @throws EventStoreException INVALID_ARGUMENT for a position below 1, UNAVAILABLE if the store is closed or has
     *     as many subscriptions as it runs
     * @since 1.5
     */
    default Subscription subscribe(
            long fromPosition, java.util.function.Predicate<EventRecord> filter, EventSink sink) {
        throw new EventStoreException(EventStoreException.Code.UNAVAILABLE, "this store does not offer subscriptions");
    }

    /**
     * The position of the newest durable event in the global log (0 when the log is empty): where a reader that
     * wants only what is committed from now on starts, plus one, and how far behind a reader is.
     *
     * @return the position
     * @since 1.6
     */
    default long durablePosition() {
        throw new EventStoreException(EventStoreException.Code.UNAVAILABLE, "this store does not report its position");
    }

    /**
     * Why the store cannot accept writes now (it is shutting down, or a failed sync stopped it), or empty when it
     * is open and accepting: what a readiness check reports.
     *
     * @return the reason, or empty
     * @since 1.4
     */
    default Optional<String> unavailableReason() {
        return Optional.empty();
    }
}
