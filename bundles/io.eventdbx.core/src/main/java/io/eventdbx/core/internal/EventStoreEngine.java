package io.eventdbx.core.internal;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.ConsistencyProof;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStore;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.api.InclusionProof;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.Page;
import io.eventdbx.api.SnapshotRecord;
import io.eventdbx.api.StagedEvent;
import io.eventdbx.api.VerifyResult;
import io.eventdbx.api.WriteCharge;
import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.integrity.EventHash;
import io.eventdbx.integrity.Hex;
import io.eventdbx.integrity.MerkleFrontier;
import io.eventdbx.integrity.MerkleProofs;
import io.eventdbx.schema.api.Admission;
import io.eventdbx.schema.api.SchemaValidator;
import io.eventdbx.schema.api.SchemaViolation;
import io.eventdbx.store.api.KeyValue;
import io.eventdbx.store.api.StorageEngine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The event store on a {@link StorageEngine}: writes go through the {@link Committer}; reads go to the head
 * cache or the storage engine directly. Usable without OSGi (tests, benchmarks); {@link EventStoreComponent}
 * runs it as a service.
 */
public final class EventStoreEngine implements EventStore, AutoCloseable {

    /** Largest payload accepted, in bytes of canonical UTF-8. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

    /** Heads kept in memory when {@code memory_threshold} is unset. */
    public static final int DEFAULT_CACHED_HEADS = 100_000;

    private static final int SCAN_PAGE = 1000;

    private final StorageEngine storage;
    private final Codec codec;
    // null: no schemas (tests, benchmarks)
    private final SchemaValidator validator;
    private final HeadCache heads;
    private final Committer committer;
    private final Subscriptions subscriptions;
    // changed live (EventStoreComponent's @Modified): read once per append
    private volatile int maxPayloadBytes;
    private volatile long snapshotThreshold;
    // The next staged sequence number; only used on the committer's builder thread.
    private long nextStaged;
    // No staged event below this sequence: scans start here, not at 0, so they do not wade through the deletion
    // markers every earlier commit left (a cost that would grow with every stage-and-commit cycle).
    private volatile long stagedFloor;

    /**
     * Opens the store on an engine.
     *
     * @param storage the storage engine; the caller closes it after this
     * @param cachedHeads how many aggregate heads to keep in memory
     * @param maxPayloadBytes the payload size limit
     * @throws EventStoreException if the store cannot be read
     */
    public EventStoreEngine(StorageEngine storage, int cachedHeads, int maxPayloadBytes) {
        this(storage, cachedHeads, maxPayloadBytes, 0);
    }

    /**
     * Opens the store on an engine <b>without encryption at rest</b>: for tests and for the benchmark's
     * encryption-off baseline. The service ({@link EventStoreComponent}) always encrypts.
     *
     * @param storage the storage engine; the caller closes it after this
     * @param cachedHeads how many aggregate heads to keep in memory
     * @param maxPayloadBytes the payload size limit
     * @param snapshotThreshold take a snapshot every this many events of an aggregate; 0 for never
     */
    public EventStoreEngine(StorageEngine storage, int cachedHeads, int maxPayloadBytes, long snapshotThreshold) {
        this(storage, new PlaintextProtector(), null, cachedHeads, maxPayloadBytes, snapshotThreshold);
    }

    /**
     * Opens the store on an engine without schemas, taking a snapshot every {@code snapshotThreshold} events.
     *
     * @param storage the storage engine; the caller closes it after this
     * @param protector seals payloads, states, snapshots and staged events
     * @param cachedHeads how many aggregate heads to keep in memory
     * @param maxPayloadBytes the payload size limit
     * @param snapshotThreshold take a snapshot every this many events of an aggregate; 0 for never
     */
    public EventStoreEngine(
            StorageEngine storage,
            DataProtector protector,
            int cachedHeads,
            int maxPayloadBytes,
            long snapshotThreshold) {
        this(storage, protector, null, cachedHeads, maxPayloadBytes, snapshotThreshold);
    }

    /**
     * Tells an observer about every durable group commit.
     *
     * @param observer the observer, or null for none
     */
    public void observe(io.eventdbx.api.StoreObserver observer) {
        committer.observe(observer);
    }

    /**
     * Opens the store on an engine, taking a snapshot every {@code snapshotThreshold} events.
     *
     * @param storage the storage engine; the caller closes it after this
     * @param protector seals payloads, states, snapshots and staged events
     * @param validator admits events under the schemas and the restriction mode; null for none
     * @param cachedHeads how many aggregate heads to keep in memory
     * @param maxPayloadBytes the payload size limit
     * @param snapshotThreshold take a snapshot every this many events of an aggregate; 0 for never (a schema's
     *     own threshold wins)
     * @throws EventStoreException if the store cannot be read
     */
    public EventStoreEngine(
            StorageEngine storage,
            DataProtector protector,
            SchemaValidator validator,
            int cachedHeads,
            int maxPayloadBytes,
            long snapshotThreshold) {
        this.codec = new Codec(protector);
        this.validator = validator;
        this.snapshotThreshold = snapshotThreshold;
        List<KeyValue> firstStaged = scanStatic(storage, Keys.staged(0), Keys.stagedEnd(), 1, false);
        this.stagedFloor =
                firstStaged.isEmpty() ? 0 : Keys.position(firstStaged.get(0).key());
        List<KeyValue> lastStaged = scanStatic(storage, Keys.staged(0), Keys.stagedEnd(), 1, true);
        this.nextStaged =
                lastStaged.isEmpty() ? 1 : Keys.position(lastStaged.get(0).key()) + 1;
        this.storage = storage;
        this.heads = new HeadCache(cachedHeads);
        this.maxPayloadBytes = maxPayloadBytes;
        List<KeyValue> last = scan(Keys.log(0), Keys.logEnd(), 1, true);
        this.committer = new Committer(
                storage,
                codec,
                heads,
                last.isEmpty() ? 0 : Keys.position(last.get(0).key()));
        this.subscriptions = new Subscriptions(committer, this::log);
    }

    @Override
    public void close() {
        subscriptions.close();
        committer.close();
    }

    @Override
    public io.eventdbx.api.Subscription subscribe(
            long fromPosition, java.util.function.Predicate<EventRecord> filter, io.eventdbx.api.EventSink sink) {
        return subscriptions.subscribe(fromPosition, filter, sink);
    }

    /**
     * Applies changed limits to the appends that come next, without reopening anything.
     *
     * @param maxPayloadBytes the payload size limit
     * @param snapshotThreshold take a snapshot every this many events of an aggregate; 0 for never
     */
    public void configure(int maxPayloadBytes, long snapshotThreshold) {
        this.maxPayloadBytes = maxPayloadBytes;
        this.snapshotThreshold = snapshotThreshold;
    }

    /** The newest position whose event is durable (0 when the log is empty). */
    public long durablePosition() {
        return committer.durablePosition();
    }

    /** Batches written and write operations completed, for benchmarks and metrics. */
    public long[] commitStats() {
        return committer.stats();
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(committer.unavailableReason());
    }

    // ---------------------------------------------------------------- writes

    /** An append validated on the caller's thread (identifiers, sizes, canonical payload). */
    record Prepared(
            String type,
            String id,
            String eventType,
            String eventId,
            boolean clientEventId,
            String note,
            Long expected,
            IssuedBy issuedBy,
            Codec.Payload payload,
            Admission admission) {}

    @Override
    public EventRecord append(AppendRequest request) {
        // Validation, JSON, and (speculatively) hashing and encoding happen on the caller's thread, in parallel;
        // the committer's builder, the serial part, then only checks and sequences.
        Prepared prepared = prepare(request);
        Computed speculation = speculate(prepared);
        return (EventRecord) committer.submit(context -> applyAppend(context, prepared, speculation, null));
    }

    @Override
    public CompletableFuture<EventRecord> appendAsync(AppendRequest request) {
        return appendAsync(request, null);
    }

    @Override
    public CompletableFuture<EventRecord> appendAsync(AppendRequest request, WriteCharge charge) {
        Prepared prepared;
        Computed speculation;
        try {
            prepared = prepare(request);
            speculation = speculate(prepared);
        } catch (EventStoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return committer
                .submitAsync(context -> applyAppend(context, prepared, speculation, charge))
                .thenApply(EventRecord.class::cast);
    }

    /** The most events one atomic batch takes ({@link #appendAllAsync}). */
    static final int MAX_BATCH = 10_000;

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<EventRecord>> appendAllAsync(List<AppendRequest> requests, WriteCharge charge) {
        if (requests == null || requests.isEmpty()) {
            return CompletableFuture.failedFuture(
                    new EventStoreException(Code.INVALID_ARGUMENT, "a batch needs at least one event"));
        }
        if (requests.size() > MAX_BATCH) {
            return CompletableFuture.failedFuture(new EventStoreException(
                    Code.INVALID_ARGUMENT,
                    "a batch takes at most " + MAX_BATCH + " events, not " + requests.size(),
                    Map.of("limit", Integer.toString(MAX_BATCH))));
        }
        List<Prepared> prepared = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            try {
                prepared.add(prepare(requests.get(i)));
            } catch (EventStoreException e) {
                return CompletableFuture.failedFuture(inBatch(e, i, requests.get(i)));
            }
        }
        // One operation of the group commit: its writes go into the batch together, and all are taken back if any
        // event is refused, so the events are written all or none.
        return committer
                .submitAsync(context -> {
                    List<EventRecord> records = new ArrayList<>(prepared.size());
                    for (int i = 0; i < prepared.size(); i++) {
                        Object result;
                        try {
                            result = applyAppend(context, prepared.get(i), null, charge);
                        } catch (EventStoreException e) {
                            throw inBatch(e, i, requests.get(i));
                        }
                        if (!(result instanceof EventRecord record)) {
                            throw inBatch(
                                    new EventStoreException(
                                            Code.CONFLICT,
                                            "event_id " + requests.get(i).eventId()
                                                    + " is used by an event not yet committed"),
                                    i,
                                    requests.get(i));
                        }
                        records.add(record);
                    }
                    return records;
                })
                .thenApply(result -> (List<EventRecord>) result);
    }

    /** A refusal of one event of a batch: which one, and that nothing of the batch was written. */
    private static EventStoreException inBatch(EventStoreException e, int index, AppendRequest request) {
        Map<String, String> details = new java.util.LinkedHashMap<>(e.details());
        details.put("index", Integer.toString(index));
        return new EventStoreException(
                e.code(),
                "event " + index + " of the batch (" + request.aggregateType() + "/" + request.aggregateId() + "): "
                        + e.getMessage() + "; nothing of the batch was written",
                details);
    }

    /**
     * The deterministic part of an append from a given head: what only depends on that head, the request and the
     * time.
     *
     * @param base the head it was computed from (null: the aggregate did not exist)
     * @param eventBytes the stored event, with position 0 until {@link Codec#patchPosition}
     * @param headBytes the stored new head, or null if not encoded yet
     */
    private record Computed(
            Head base,
            String now,
            long version,
            String hash,
            String root,
            Head next,
            byte[] eventBytes,
            byte[] headBytes) {}

    private Computed compute(Head head, Prepared prepared, String now, boolean encodeHead) {
        String type = prepared.type();
        String id = prepared.id();
        IssuedBy issuedBy = prepared.issuedBy();
        String payload = prepared.payload().canonical();
        Head base = head != null ? head : Head.created(type, id, now);
        long version = base.version() + 1;
        byte[] hash = new EventHash(
                        type,
                        id,
                        version,
                        prepared.eventType(),
                        prepared.eventId(),
                        now,
                        issuedBy == null ? null : issuedBy.group(),
                        issuedBy == null ? null : issuedBy.user(),
                        prepared.note(),
                        prepared.admission().schemaVersion(),
                        payload)
                .hash();
        MerkleFrontier frontier = base.frontier().append(hash);
        byte[] root = frontier.root();
        String hashHex = Hex.of(hash);
        String rootHex = Hex.of(root);
        EventRecord unpositioned = new EventRecord(
                type,
                id,
                prepared.eventType(),
                payload,
                prepared.eventId(),
                now,
                issuedBy,
                prepared.note(),
                prepared.admission().schemaVersion(),
                version,
                0,
                hashHex,
                rootHex);
        Head next = base.withEvent(
                frontier, Head.fold(base.state(), prepared.payload().members()), now);
        return new Computed(
                head,
                now,
                version,
                hashHex,
                rootHex,
                next,
                codec.encodeEvent(unpositioned, hash, root),
                encodeHead ? codec.encodeHead(next) : null);
    }

    /**
     * Computes an append on the caller's thread from the newest head it can see. The builder uses it only if that
     * head is still the newest when the append runs (it is, unless another write to the same aggregate came
     * first); otherwise it computes again. Null when there is nothing cheap to start from.
     */
    private Computed speculate(Prepared prepared) {
        Head seen = committer.peek(prepared.type(), prepared.id());
        Head base;
        if (seen == null) {
            // not in memory: speculate only for a new aggregate
            if (read(Keys.head(prepared.type(), prepared.id())) != null) {
                return null;
            }
            base = null;
        } else {
            base = Committer.isAbsent(seen) ? null : seen;
        }
        if (base != null && base.archived()) {
            return null;
        }
        return compute(base, prepared, Committer.now(), true);
    }

    private Prepared prepare(AppendRequest request) {
        return prepare(request, false);
    }

    /**
     * Validates a request.
     *
     * @param stored whether it comes from the staged queue, whose payloads were made canonical when staged: they
     *     are only parsed for their members, not written out again
     */
    private Prepared prepare(AppendRequest request, boolean stored) {
        String type = Identifiers.check("aggregate_type", request.aggregateType());
        String id = Identifiers.check("aggregate_id", request.aggregateId());
        String eventType = Identifiers.check("event_type", request.eventType());
        String note = Identifiers.checkNote(request.note());
        String eventId = request.eventId() == null ? randomEventId() : Identifiers.check("event_id", request.eventId());
        Long expected = request.expectedVersion();
        if (expected != null && expected < 0) {
            throw Identifiers.invalid("expected_version must be 0 or more");
        }
        if (request.payloadJson().length() > maxPayloadBytes * 2L) {
            throw payloadTooLarge();
        }
        // JSON work happens here, on the caller's thread, in parallel; the committer only sequences and hashes.
        Codec.Payload parsed =
                stored ? codec.storedPayload(request.payloadJson()) : codec.payload(request.payloadJson());
        String payload = parsed.canonical();
        if (payload.getBytes(StandardCharsets.UTF_8).length > maxPayloadBytes) {
            throw payloadTooLarge();
        }
        Admission admission;
        try {
            admission = validator == null ? Admission.NONE : validator.admit(type, eventType, parsed.members());
        } catch (SchemaViolation e) {
            throw new EventStoreException(Code.SCHEMA_VIOLATION, "schema violation: " + e.getMessage(), e.details());
        }
        return new Prepared(
                type,
                id,
                eventType,
                eventId,
                request.eventId() != null,
                note,
                expected,
                request.issuedBy(),
                parsed,
                admission);
    }

    private EventStoreException payloadTooLarge() {
        return new EventStoreException(
                Code.PAYLOAD_TOO_LARGE,
                "payload is larger than " + maxPayloadBytes + " bytes",
                Map.of("limit", Integer.toString(maxPayloadBytes)));
    }

    /** A locked field of the schema keeps the first value it gets: refuses a different one. */
    private static void checkLockedFields(Prepared prepared, Head head) {
        if (head == null || prepared.admission().lockedFields().isEmpty()) {
            return;
        }
        for (String field : prepared.admission().lockedFields()) {
            String value = prepared.payload().members().get(field);
            String current = head.state().get(field);
            if (value == null || current == null || current.equals("null")) {
                continue;
            }
            if (!current.equals(Head.normalise(value))) {
                throw new EventStoreException(
                        Code.SCHEMA_VIOLATION,
                        "schema violation: aggregate type " + prepared.type() + ", event " + prepared.eventType()
                                + ", field " + field + ": the field is locked and already set to " + current,
                        Map.of(
                                "aggregate_type",
                                prepared.type(),
                                "event_type",
                                prepared.eventType(),
                                "field",
                                field,
                                "rule",
                                "locked_field"));
            }
        }
    }

    /**
     * Applies a prepared append on the builder thread: checks against the newest head and stages the event, the
     * head, the log entry and the idempotency key.
     *
     * @return the record, the original record of a retried event id, or the future of an uncommitted original
     */
    private Object applyAppend(
            Committer.BatchContext context, Prepared prepared, Computed speculation, WriteCharge charge) {
        String type = prepared.type();
        String id = prepared.id();
        String eventType = prepared.eventType();
        String eventId = prepared.eventId();
        boolean clientEventId = prepared.clientEventId();
        String note = prepared.note();
        Long expected = prepared.expected();
        IssuedBy issuedBy = prepared.issuedBy();
        String payload = prepared.payload().canonical();
        Head head = context.head(type, id);
        if (clientEventId) {
            String idem = Committer.key(type, id) + '\u0000' + eventId;
            CompletableFuture<Object> pending = context.pendingIdempotent(idem);
            if (pending != null) {
                return pending;
            }
            byte[] existing = context.read(Keys.idempotency(type, id, eventId));
            if (existing != null) {
                return readEvent(type, id, ByteBuffer.wrap(existing).getLong());
            }
            context.holdIdempotency(idem);
        }
        if (head != null && head.archived()) {
            throw new EventStoreException(
                    Code.ARCHIVED,
                    "aggregate " + type + "/" + id + " is archived and takes no events; restore it first");
        }
        long current = head == null ? 0 : head.version();
        if (expected != null && expected != current) {
            throw new EventStoreException(
                    Code.CONFLICT,
                    "expected version " + expected + " of " + type + "/" + id + " but it is at version " + current,
                    Map.of("current_version", Long.toString(current)));
        }
        checkLockedFields(prepared, head);
        Computed computed = speculation != null && speculation.base() == head
                ? speculation
                : compute(head, prepared, context.now(), false);
        long version = computed.version();
        EventRecord record = new EventRecord(
                type,
                id,
                eventType,
                payload,
                eventId,
                computed.now(),
                issuedBy,
                note,
                prepared.admission().schemaVersion(),
                version,
                context.nextPosition(),
                computed.hash(),
                computed.root());
        if (charge != null) {
            // paid here, once nothing can refuse the event any more, in the same atomic batch as the event
            Map.Entry<byte[], byte[]> paid = charge.take();
            context.onFailure(charge::giveBack);
            context.put(paid.getKey(), paid.getValue());
        }
        context.putHead(computed.next(), computed.headBytes());
        byte[] eventBytes = computed.eventBytes();
        Codec.patchPosition(eventBytes, record.position());
        context.put(Keys.event(type, id, version), eventBytes);
        context.put(Keys.log(record.position()), Keys.logValue(type, id, version));
        if (clientEventId) {
            context.put(
                    Keys.idempotency(type, id, eventId),
                    ByteBuffer.allocate(8).putLong(version).array());
        }
        // the schema's interval, if it sets one, else the configured one
        Long schemaThreshold = prepared.admission().snapshotThreshold();
        long every = schemaThreshold != null ? schemaThreshold : snapshotThreshold;
        if (every > 0 && version % every == 0) {
            Head next = context.head(type, id);
            context.put(
                    Keys.snapshot(type, id, version),
                    codec.encodeSnapshot(new SnapshotRecord(
                            type,
                            id,
                            version,
                            next.stateJson(),
                            record.merkleRoot(),
                            record.createdAt(),
                            "automatic, every " + every + " events")));
        }
        return record;
    }

    /**
     * A random (version 4) UUID from a per-thread generator: event ids identify, they need not be secret, and
     * {@link UUID#randomUUID()} serialises every appender on one {@code SecureRandom}.
     */
    private static String randomEventId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    @Override
    public AggregateState create(String aggregateType, String aggregateId) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        return (AggregateState) committer.submit(context -> {
            if (context.head(type, id) != null) {
                throw new EventStoreException(Code.CONFLICT, "aggregate " + type + "/" + id + " already exists");
            }
            Head head = Head.created(type, id, context.now());
            context.putHead(head);
            return head.toState();
        });
    }

    @Override
    public AggregateState archive(String aggregateType, String aggregateId, String comment) {
        return setArchived(aggregateType, aggregateId, comment, true);
    }

    @Override
    public AggregateState restore(String aggregateType, String aggregateId, String comment) {
        return setArchived(aggregateType, aggregateId, comment, false);
    }

    private AggregateState setArchived(String aggregateType, String aggregateId, String comment, boolean archive) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        Identifiers.checkNote(comment);
        return (AggregateState) committer.submit(context -> {
            Head head = existing(context.head(type, id), type, id);
            if (head.archived() == archive) {
                throw new EventStoreException(
                        Code.CONFLICT,
                        "aggregate " + type + "/" + id + " is " + (archive ? "already archived" : "not archived"));
            }
            Head next = head.withArchived(archive, comment, context.now());
            context.putHead(next);
            return next.toState();
        });
    }

    @Override
    public StagedEvent stage(AppendRequest request) {
        Prepared prepared = prepare(request);
        return (StagedEvent) committer.submit(context -> {
            Head head = context.head(prepared.type(), prepared.id());
            if (head != null && head.archived()) {
                throw new EventStoreException(
                        Code.ARCHIVED,
                        "aggregate " + prepared.type() + "/" + prepared.id()
                                + " is archived and takes no events; restore it first");
            }
            long sequence = nextStaged++;
            byte[] encoded = codec.encodeStaged(sequence, prepared);
            context.put(Keys.staged(sequence), encoded);
            return new StagedEvent(sequence, codec.decodeStaged(sequence, encoded));
        });
    }

    @Override
    public List<StagedEvent> staged() {
        List<StagedEvent> out = new ArrayList<>();
        for (KeyValue kv : scan(Keys.staged(stagedFloor), Keys.stagedEnd(), MAX_STAGED, false)) {
            long sequence = Keys.position(kv.key());
            out.add(new StagedEvent(sequence, codec.decodeStaged(sequence, kv.value())));
        }
        return out;
    }

    /** The most events one commit takes (and {@link #staged()} lists). */
    static final int MAX_STAGED = 100_000;

    @Override
    @SuppressWarnings("unchecked")
    public List<EventRecord> commitStaged() {
        // Exclusive: it reads the staged queue from the store, so every earlier write (staging, or another commit
        // deleting what it committed) must be durable first.
        return (List<EventRecord>) committer.submit(
                context -> {
                    List<EventRecord> committed = new ArrayList<>();
                    long last = -1;
                    for (KeyValue kv : scan(Keys.staged(stagedFloor), Keys.stagedEnd(), MAX_STAGED, false)) {
                        long sequence = Keys.position(kv.key());
                        last = sequence;
                        AppendRequest request = codec.decodeStaged(sequence, kv.value());
                        Object result;
                        try {
                            result = applyAppend(context, prepare(request, true), null, null);
                        } catch (EventStoreException e) {
                            throw new EventStoreException(
                                    e.code(),
                                    "staged event " + sequence + " (" + request.aggregateType() + "/"
                                            + request.aggregateId() + "): " + e.getMessage()
                                            + "; nothing was committed",
                                    e.details());
                        }
                        if (!(result instanceof EventRecord record)) {
                            throw new EventStoreException(
                                    Code.CONFLICT,
                                    "staged event " + sequence + " reuses event_id " + request.eventId()
                                            + " of an event not yet committed; nothing was committed");
                        }
                        committed.add(record);
                        context.delete(kv.key());
                    }
                    if (last >= 0) {
                        // Set only when everything succeeded; if the write then fails, the store stops anyway.
                        stagedFloor = last + 1;
                    }
                    return committed;
                },
                true);
    }

    @Override
    public SnapshotRecord snapshot(String aggregateType, String aggregateId, String comment) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        Identifiers.checkNote(comment);
        return (SnapshotRecord) committer.submit(context -> {
            Head head = existing(context.head(type, id), type, id);
            if (head.version() == 0) {
                throw new EventStoreException(
                        Code.CONFLICT, "aggregate " + type + "/" + id + " has no events to snapshot");
            }
            SnapshotRecord snapshot = new SnapshotRecord(
                    type,
                    id,
                    head.version(),
                    head.stateJson(),
                    Hex.of(head.frontier().root()),
                    context.now(),
                    comment);
            context.put(Keys.snapshot(type, id, head.version()), codec.encodeSnapshot(snapshot));
            return snapshot;
        });
    }

    @Override
    public void remove(String aggregateType, String aggregateId) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        committer.submit(context -> {
            Head head = existing(context.head(type, id), type, id);
            if (head.version() > 0) {
                throw new EventStoreException(
                        Code.NOT_EMPTY,
                        "aggregate " + type + "/" + id + " has " + head.version()
                                + " events and cannot be removed (events are never deleted; archive it instead)");
            }
            context.removeHead(type, id);
            return Boolean.TRUE;
        });
    }

    private static Head existing(Head head, String type, String id) {
        if (head == null) {
            throw notFound(type, id);
        }
        return head;
    }

    private static EventStoreException notFound(String type, String id) {
        return new EventStoreException(Code.NOT_FOUND, "aggregate " + type + "/" + id + " does not exist");
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Optional<AggregateState> get(String aggregateType, String aggregateId) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        return Optional.ofNullable(readHead(type, id)).map(Head::toState);
    }

    private Head readHead(String type, String id) {
        Head head = heads.get(Committer.key(type, id));
        if (head != null) {
            return head;
        }
        byte[] bytes = read(Keys.head(type, id));
        return bytes == null ? null : codec.decodeHead(type, id, bytes);
    }

    @Override
    public AggregateState getAt(String aggregateType, String aggregateId, long version) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        Head head = readHead(type, id);
        if (head == null) {
            throw notFound(type, id);
        }
        if (version < 0 || version > head.version()) {
            throw new EventStoreException(
                    Code.NOT_FOUND,
                    "aggregate " + type + "/" + id + " has no version " + version + " (current version "
                            + head.version() + ")");
        }
        if (version == head.version()) {
            return head.toState();
        }
        java.util.SortedMap<String, String> state = java.util.Collections.emptySortedMap();
        String root = Hex.of(MerkleFrontier.empty().root());
        String updated = head.createdAt();
        long start = 1;
        // Start from the nearest snapshot at or below the version: the replay is bounded by the threshold.
        List<KeyValue> nearest = scan(Keys.snapshotsFrom(type, id), Keys.snapshot(type, id, version + 1), 1, true);
        if (!nearest.isEmpty()) {
            SnapshotRecord snapshot =
                    codec.decodeSnapshot(type, id, nearest.get(0).value());
            state = codec.members(snapshot.stateJson());
            root = snapshot.merkleRoot();
            updated = snapshot.createdAt();
            start = snapshot.version() + 1;
        }
        for (long from = start; from <= version; from += SCAN_PAGE) {
            for (EventRecord event : events(type, id, from - 1, (int) Math.min(SCAN_PAGE, version - from + 1))) {
                state = Head.fold(state, codec.members(event.payloadJson()));
                root = event.merkleRoot();
                updated = event.createdAt();
            }
        }
        return new AggregateState(
                type,
                id,
                version,
                io.eventdbx.integrity.CanonicalJson.object(state),
                root,
                head.archived(),
                head.createdAt(),
                updated,
                head.comment());
    }

    /** The most aggregates a listing skips: each skipped one is read; further pages go by cursor. */
    static final long MAX_LIST_SKIP = 1_000_000;

    @Override
    public Page<AggregateState> list(String cursor, long skip, int take) {
        return list(null, cursor, skip, take);
    }

    @Override
    public Page<AggregateState> list(String aggregateType, String cursor, long skip, int take) {
        if (take < 1 || skip < 0) {
            throw Identifiers.invalid("take must be at least 1 and skip at least 0");
        }
        String type = aggregateType == null ? null : Identifiers.check("aggregate_type", aggregateType);
        byte[] from = type == null ? Keys.headsFrom() : Keys.headsOf(type);
        byte[] to = type == null ? Keys.headsTo() : Keys.headsOfEnd(type);
        if (cursor != null && !cursor.isEmpty()) {
            try {
                byte[] last = Base64.getUrlDecoder().decode(cursor);
                // A cursor is a position: the first key after it. One that is not a head key (made up, say) still is
                // a position, before or after every head.
                byte[] after = Arrays.copyOf(last, last.length + 1);
                if (Arrays.compareUnsigned(after, from) > 0) {
                    from = after;
                }
            } catch (IllegalArgumentException e) {
                throw Identifiers.invalid("cursor is not a cursor returned by a previous page");
            }
        }
        if (skip > MAX_LIST_SKIP) {
            throw Identifiers.invalid("skip must be at most " + MAX_LIST_SKIP + "; use the cursor to page further");
        }
        List<KeyValue> entries = scan(from, to, (int) Math.min(Integer.MAX_VALUE, skip + take + 1L), false);
        List<AggregateState> items = new ArrayList<>();
        for (int i = (int) Math.min(skip, entries.size()); i < entries.size() && items.size() < take; i++) {
            String[] agg = Keys.aggregateOf(entries.get(i).key());
            items.add(codec.decodeHead(agg[0], agg[1], entries.get(i).value()).toState());
        }
        String next = null;
        int lastIndex = (int) skip + items.size() - 1;
        if (entries.size() > skip + take && lastIndex >= 0) {
            next = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(entries.get(lastIndex).key());
        }
        return new Page<>(items, next);
    }

    @Override
    public List<EventRecord> events(String aggregateType, String aggregateId, long skip, int take) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        if (take < 1 || skip < 0) {
            throw Identifiers.invalid("take must be at least 1 and skip at least 0");
        }
        List<EventRecord> out = new ArrayList<>();
        for (KeyValue kv : scan(Keys.event(type, id, skip + 1), Keys.eventsEnd(type, id), take, false)) {
            out.add(codec.decodeEvent(type, id, kv.value()));
        }
        return out;
    }

    @Override
    public List<EventRecord> log(long fromPosition, int take) {
        if (take < 1 || fromPosition < 1) {
            throw Identifiers.invalid("take must be at least 1 and the position at least 1");
        }
        List<KeyValue> entries = scan(Keys.log(fromPosition), Keys.logEnd(), take, false);
        List<Object[]> refs = new ArrayList<>(entries.size());
        List<byte[]> keys = new ArrayList<>(entries.size());
        for (KeyValue kv : entries) {
            Object[] ref = Keys.decodeLogValue(kv.value());
            refs.add(ref);
            keys.add(Keys.event((String) ref[0], (String) ref[1], (Long) ref[2]));
        }
        // one batched lookup for the page: a reader catching up (a plugin draining a backlog) reads the log this way
        List<byte[]> values;
        try {
            values = storage.getAll(keys);
        } catch (IOException e) {
            throw new EventStoreException(Code.UNAVAILABLE, "the store cannot be read: " + e.getMessage(), e);
        }
        List<EventRecord> out = new ArrayList<>(entries.size());
        for (int i = 0; i < refs.size(); i++) {
            Object[] ref = refs.get(i);
            if (values.get(i) == null) {
                throw new EventStoreException(
                        Code.INTEGRITY, "event " + ref[0] + "/" + ref[1] + " version " + ref[2] + " is missing");
            }
            out.add(codec.decodeEvent((String) ref[0], (String) ref[1], values.get(i)));
        }
        return out;
    }

    private EventRecord readEvent(String type, String id, long version) {
        byte[] bytes = read(Keys.event(type, id, version));
        if (bytes == null) {
            throw new EventStoreException(
                    Code.INTEGRITY, "event " + type + "/" + id + " version " + version + " is missing");
        }
        return codec.decodeEvent(type, id, bytes);
    }

    // ---------------------------------------------------------------- integrity

    @Override
    public VerifyResult verify(String aggregateType, String aggregateId) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        Head head = readHead(type, id);
        if (head == null) {
            throw notFound(type, id);
        }
        MerkleFrontier frontier = MerkleFrontier.empty();
        long expectedVersion = 1;
        for (long skip = 0; ; skip += SCAN_PAGE) {
            List<KeyValue> page = scan(Keys.event(type, id, skip + 1), Keys.eventsEnd(type, id), SCAN_PAGE, false);
            for (KeyValue kv : page) {
                long version = Keys.version(kv.key());
                if (version != expectedVersion) {
                    return bad(type, id, frontier, expectedVersion, "version " + expectedVersion + " is missing");
                }
                EventRecord event;
                try {
                    event = codec.decodeEvent(type, id, kv.value());
                } catch (EventStoreException e) {
                    return bad(type, id, frontier, version, "the stored event is unreadable: " + e.getMessage());
                }
                byte[] hash;
                try {
                    hash = recomputeHash(event);
                } catch (RuntimeException e) {
                    return bad(type, id, frontier, version, "the stored event is malformed: " + e.getMessage());
                }
                if (event.version() != version || !Hex.of(hash).equals(event.hash())) {
                    return bad(type, id, frontier, version, "the event's content does not match its hash");
                }
                frontier = frontier.append(hash);
                if (!Hex.of(frontier.root()).equals(event.merkleRoot())) {
                    return bad(type, id, frontier, version, "the Merkle root after this event does not match");
                }
                expectedVersion++;
            }
            if (page.size() < SCAN_PAGE) {
                break;
            }
        }
        if (frontier.size() != head.version()) {
            return bad(
                    type,
                    id,
                    frontier,
                    frontier.size() + 1,
                    "the head says version " + head.version() + " but " + frontier.size() + " events are stored");
        }
        if (!Arrays.equals(frontier.root(), head.frontier().root())) {
            return bad(type, id, frontier, head.version(), "the head's Merkle root does not match the events");
        }
        return new VerifyResult(type, id, head.version(), Hex.of(frontier.root()), true, null, null);
    }

    private static VerifyResult bad(String type, String id, MerkleFrontier frontier, long version, String problem) {
        return new VerifyResult(type, id, frontier.size(), Hex.of(frontier.root()), false, version, problem);
    }

    private static byte[] recomputeHash(EventRecord e) {
        return new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedBy() == null ? null : e.issuedBy().group(),
                        e.issuedBy() == null ? null : e.issuedBy().user(),
                        e.note(),
                        e.schemaVersion(),
                        io.eventdbx.integrity.CanonicalJson.canonicalize(e.payloadJson()))
                .hash();
    }

    /** Recomputed hashes of versions 1..size, for proofs: a proof speaks for what is actually stored. */
    private List<byte[]> hashes(String type, String id, long size) {
        List<byte[]> hashes = new ArrayList<>();
        for (long skip = 0; skip < size; skip += SCAN_PAGE) {
            for (EventRecord event : events(type, id, skip, (int) Math.min(SCAN_PAGE, size - skip))) {
                hashes.add(recomputeHash(event));
            }
        }
        return hashes;
    }

    @Override
    public InclusionProof proveInclusion(String aggregateType, String aggregateId, long version, long treeSize) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        Head head = existing(readHead(type, id), type, id);
        if (version < 1 || treeSize < version || treeSize > head.version()) {
            throw new EventStoreException(
                    Code.NOT_FOUND,
                    "no inclusion proof for version " + version + " in a tree of size " + treeSize + ": " + type + "/"
                            + id + " has versions 1.." + head.version());
        }
        List<byte[]> hashes = hashes(type, id, treeSize);
        List<String> path = MerkleProofs.inclusionProof(hashes, version - 1, treeSize).stream()
                .map(Hex::of)
                .toList();
        return new InclusionProof(
                type,
                id,
                version,
                Hex.of(hashes.get((int) version - 1)),
                treeSize,
                Hex.of(MerkleProofs.root(hashes)),
                path);
    }

    @Override
    public ConsistencyProof proveConsistency(
            String aggregateType, String aggregateId, long fromVersion, long toVersion) {
        String type = Identifiers.check("aggregate_type", aggregateType);
        String id = Identifiers.check("aggregate_id", aggregateId);
        Head head = existing(readHead(type, id), type, id);
        if (fromVersion < 0 || fromVersion > toVersion || toVersion > head.version()) {
            throw new EventStoreException(
                    Code.NOT_FOUND,
                    "no consistency proof from " + fromVersion + " to " + toVersion + ": " + type + "/" + id
                            + " has versions 1.." + head.version());
        }
        List<byte[]> hashes = hashes(type, id, toVersion);
        List<String> proof = MerkleProofs.consistencyProof(hashes, fromVersion, toVersion).stream()
                .map(Hex::of)
                .toList();
        return new ConsistencyProof(
                type,
                id,
                fromVersion,
                toVersion,
                Hex.of(MerkleProofs.root(hashes.subList(0, (int) fromVersion))),
                Hex.of(MerkleProofs.root(hashes)),
                proof);
    }

    // ---------------------------------------------------------------- storage helpers

    private byte[] read(byte[] key) {
        try {
            return storage.get(key);
        } catch (IOException e) {
            throw new EventStoreException(Code.UNAVAILABLE, "the store cannot be read: " + e.getMessage(), e);
        }
    }

    private List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) {
        return scanStatic(storage, from, to, limit, reverse);
    }

    private static List<KeyValue> scanStatic(
            StorageEngine storage, byte[] from, byte[] to, int limit, boolean reverse) {
        try {
            return storage.scan(from, to, limit, reverse);
        } catch (IOException e) {
            throw new EventStoreException(Code.UNAVAILABLE, "the store cannot be read: " + e.getMessage(), e);
        }
    }
}
