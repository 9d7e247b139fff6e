package io.eventdbx.grpc.internal;

import io.eventdbx.access.api.EventAccess;
import io.eventdbx.access.api.EventFilter;
import io.eventdbx.access.api.Refusal;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.Page;
import io.eventdbx.api.VerifyResult;
import io.eventdbx.proto.api.Aggregate;
import io.eventdbx.proto.api.AppendEventRequest;
import io.eventdbx.proto.api.AppendEventResponse;
import io.eventdbx.proto.api.AppendEventsRequest;
import io.eventdbx.proto.api.AppendEventsResponse;
import io.eventdbx.proto.api.ArchiveAggregateRequest;
import io.eventdbx.proto.api.ConsistencyProof;
import io.eventdbx.proto.api.CreateSnapshotRequest;
import io.eventdbx.proto.api.EventMetadata;
import io.eventdbx.proto.api.EventRecord;
import io.eventdbx.proto.api.EventServiceGrpc;
import io.eventdbx.proto.api.GetAggregateRequest;
import io.eventdbx.proto.api.GetAggregateResponse;
import io.eventdbx.proto.api.HealthRequest;
import io.eventdbx.proto.api.HealthResponse;
import io.eventdbx.proto.api.InclusionProof;
import io.eventdbx.proto.api.IssuedBy;
import io.eventdbx.proto.api.ListAggregatesRequest;
import io.eventdbx.proto.api.ListAggregatesResponse;
import io.eventdbx.proto.api.ListEventsRequest;
import io.eventdbx.proto.api.ListEventsResponse;
import io.eventdbx.proto.api.ProveConsistencyRequest;
import io.eventdbx.proto.api.ProveInclusionRequest;
import io.eventdbx.proto.api.Snapshot;
import io.eventdbx.proto.api.SubscribeRequest;
import io.eventdbx.proto.api.SubscribeResponse;
import io.eventdbx.proto.api.VerifyAggregateRequest;
import io.eventdbx.proto.api.VerifyAggregateResponse;
import io.eventdbx.token.api.Principal;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * {@code dbx.api.EventService}: parses a call, asks the door, renders the answer. It checks nothing itself; every
 * refusal of the door becomes the status of {@link Statuses}.
 */
final class EventServiceImpl extends EventServiceGrpc.EventServiceImplBase {

    private final EventAccess door;
    private final java.util.concurrent.Executor answers;
    private final java.util.Set<StreamSink> streams = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param door the access service
     * @param answers where durable writes are answered: not on the store's commit thread that completes them, whose
     *     time is every writer's
     */
    EventServiceImpl(EventAccess door, java.util.concurrent.Executor answers) {
        this.door = door;
        this.answers = answers;
    }

    /** Ends every open {@code Subscribe} stream with UNAVAILABLE (the surface is stopping). */
    void shutdown() {
        for (StreamSink stream : streams) {
            stream.shutdown();
        }
        streams.clear();
    }

    private Principal caller() {
        return door.authenticateBearer(BearerInterceptor.HEADER.get());
    }

    /** Answers with what a call to the door gives, or with the status of its refusal. */
    private static <Q, A> void answer(Q request, StreamObserver<A> reply, Function<Q, A> call) {
        A answer;
        try {
            answer = call.apply(request);
        } catch (Refusal refusal) {
            reply.onError(Statuses.of(refusal));
            return;
        }
        reply.onNext(answer);
        reply.onCompleted();
    }

    private static String required(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new Refusal(Refusal.Code.INVALID_ARGUMENT, field + " is required");
        }
        return value;
    }

    private static String optional(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static Integer take(int take) {
        return take == 0 ? null : take;
    }

    private static AppendRequest toRequest(AppendEventRequest request) {
        return new AppendRequest(
                required(request.getAggregateType(), "aggregate_type"),
                required(request.getAggregateId(), "aggregate_id"),
                required(request.getEventType(), "event_type"),
                required(request.getPayloadJson(), "payload_json"),
                optional(request.getNote()),
                request.hasExpectedVersion() ? request.getExpectedVersion() : null,
                optional(request.getEventId()),
                null);
    }

    @Override
    public void appendEvent(AppendEventRequest request, StreamObserver<AppendEventResponse> reply) {
        java.util.concurrent.CompletionStage<io.eventdbx.api.EventRecord> written;
        try {
            written = door.append(caller(), toRequest(request));
        } catch (Refusal refusal) {
            reply.onError(Statuses.of(refusal));
            return;
        }
        whenDurable(written, reply, answers, record -> AppendEventResponse.newBuilder()
                .setEvent(render(record))
                .build());
    }

    @Override
    public void appendEvents(AppendEventsRequest request, StreamObserver<AppendEventsResponse> reply) {
        java.util.concurrent.CompletionStage<java.util.List<io.eventdbx.api.EventRecord>> written;
        try {
            java.util.List<AppendRequest> events = new java.util.ArrayList<>(request.getEventsCount());
            for (int i = 0; i < request.getEventsCount(); i++) {
                try {
                    events.add(toRequest(request.getEvents(i)));
                } catch (Refusal refusal) {
                    throw new Refusal(
                            refusal.code(),
                            "events[" + i + "]: " + refusal.getMessage(),
                            java.util.Map.of("index", Integer.toString(i)),
                            null);
                }
            }
            written = door.appendAll(caller(), events);
        } catch (Refusal refusal) {
            reply.onError(Statuses.of(refusal));
            return;
        }
        whenDurable(written, reply, answers, records -> {
            AppendEventsResponse.Builder out = AppendEventsResponse.newBuilder();
            records.forEach(record -> out.addEvents(render(record)));
            return out.build();
        });
    }

    /** Answers once the write is durable, on the answering executor: no request thread waits for the sync. */
    private static <T, A> void whenDurable(
            java.util.concurrent.CompletionStage<T> written,
            StreamObserver<A> reply,
            java.util.concurrent.Executor answers,
            Function<T, A> render) {
        written.whenCompleteAsync(
                (result, failure) -> {
                    if (failure == null) {
                        reply.onNext(render.apply(result));
                        reply.onCompleted();
                        return;
                    }
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause()
                            : failure;
                    reply.onError(
                            cause instanceof Refusal refusal
                                    ? Statuses.of(refusal)
                                    : Statuses.of(new Refusal(Refusal.Code.UNAVAILABLE, "the write failed: " + cause)));
                },
                answers);
    }

    @Override
    public void listAggregates(ListAggregatesRequest request, StreamObserver<ListAggregatesResponse> reply) {
        answer(request, reply, q -> {
            Page<AggregateState> page = door.list(caller(), optional(q.getCursor()), q.getSkip(), take(q.getTake()));
            ListAggregatesResponse.Builder out = ListAggregatesResponse.newBuilder();
            page.items().forEach(state -> out.addAggregates(render(state)));
            if (page.nextCursor() != null) {
                out.setNextCursor(page.nextCursor());
            }
            return out.build();
        });
    }

    @Override
    public void getAggregate(GetAggregateRequest request, StreamObserver<GetAggregateResponse> reply) {
        answer(request, reply, q -> {
            String type = required(q.getAggregateType(), "aggregate_type");
            String id = required(q.getAggregateId(), "aggregate_id");
            AggregateState state =
                    q.getVersion() == 0 ? door.get(caller(), type, id) : door.getAt(caller(), type, id, q.getVersion());
            return GetAggregateResponse.newBuilder().setAggregate(render(state)).build();
        });
    }

    @Override
    public void listEvents(ListEventsRequest request, StreamObserver<ListEventsResponse> reply) {
        answer(request, reply, q -> {
            ListEventsResponse.Builder out = ListEventsResponse.newBuilder();
            door.events(
                            caller(),
                            required(q.getAggregateType(), "aggregate_type"),
                            required(q.getAggregateId(), "aggregate_id"),
                            q.getSkip(),
                            take(q.getTake()))
                    .forEach(event -> out.addEvents(render(event)));
            return out.build();
        });
    }

    @Override
    public void verifyAggregate(VerifyAggregateRequest request, StreamObserver<VerifyAggregateResponse> reply) {
        answer(request, reply, q -> {
            VerifyResult result = door.verify(
                    caller(),
                    required(q.getAggregateType(), "aggregate_type"),
                    required(q.getAggregateId(), "aggregate_id"));
            VerifyAggregateResponse.Builder out = VerifyAggregateResponse.newBuilder()
                    .setAggregateType(result.aggregateType())
                    .setAggregateId(result.aggregateId())
                    .setVersion(result.version())
                    .setOk(result.ok());
            if (result.merkleRoot() != null) {
                out.setMerkleRoot(result.merkleRoot());
            }
            if (result.firstBadVersion() != null) {
                out.setFirstBadVersion(result.firstBadVersion());
            }
            if (result.problem() != null) {
                out.setProblem(result.problem());
            }
            return out.build();
        });
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> reply) {
        StreamSink sink = new StreamSink((ServerCallStreamObserver<SubscribeResponse>) reply);
        io.eventdbx.api.Subscription subscription;
        try {
            subscription = door.subscribe(
                    caller(),
                    Math.max(1, request.getFromPosition()),
                    new EventFilter(
                            optional(request.getAggregateType()),
                            optional(request.getAggregateId()),
                            optional(request.getEventType())),
                    new io.eventdbx.api.EventSink() {
                        @Override
                        public void deliver(io.eventdbx.api.EventRecord event) throws Exception {
                            sink.deliver(event);
                        }

                        @Override
                        public void caughtUp() throws Exception {
                            sink.caughtUp();
                        }

                        @Override
                        public void ended(Throwable cause) {
                            streams.remove(sink);
                            sink.ended(cause);
                        }
                    });
        } catch (Refusal refusal) {
            reply.onError(Statuses.of(refusal));
            return;
        }
        streams.add(sink);
        sink.attach(subscription);
    }

    @Override
    public void proveInclusion(ProveInclusionRequest request, StreamObserver<InclusionProof> reply) {
        answer(request, reply, q -> {
            io.eventdbx.api.InclusionProof proof = door.proveInclusion(
                    caller(),
                    required(q.getAggregateType(), "aggregate_type"),
                    required(q.getAggregateId(), "aggregate_id"),
                    q.getVersion(),
                    q.getTreeSize() == 0 ? null : q.getTreeSize());
            return InclusionProof.newBuilder()
                    .setAggregateType(proof.aggregateType())
                    .setAggregateId(proof.aggregateId())
                    .setVersion(proof.version())
                    .setEventHash(proof.eventHash())
                    .setTreeSize(proof.treeSize())
                    .setMerkleRoot(proof.merkleRoot())
                    .addAllPath(proof.path())
                    .build();
        });
    }

    @Override
    public void proveConsistency(ProveConsistencyRequest request, StreamObserver<ConsistencyProof> reply) {
        answer(request, reply, q -> {
            io.eventdbx.api.ConsistencyProof proof = door.proveConsistency(
                    caller(),
                    required(q.getAggregateType(), "aggregate_type"),
                    required(q.getAggregateId(), "aggregate_id"),
                    q.getFromVersion(),
                    q.getToVersion());
            return ConsistencyProof.newBuilder()
                    .setAggregateType(proof.aggregateType())
                    .setAggregateId(proof.aggregateId())
                    .setFromVersion(proof.fromVersion())
                    .setToVersion(proof.toVersion())
                    .setFromRoot(proof.fromRoot())
                    .setToRoot(proof.toRoot())
                    .addAllProof(proof.proof())
                    .build();
        });
    }

    @Override
    public void createSnapshot(CreateSnapshotRequest request, StreamObserver<Snapshot> reply) {
        answer(request, reply, q -> {
            io.eventdbx.api.SnapshotRecord snapshot = door.snapshot(
                    caller(),
                    required(q.getAggregateType(), "aggregate_type"),
                    required(q.getAggregateId(), "aggregate_id"),
                    optional(q.getComment()));
            Snapshot.Builder out = Snapshot.newBuilder()
                    .setAggregateType(snapshot.aggregateType())
                    .setAggregateId(snapshot.aggregateId())
                    .setVersion(snapshot.version())
                    .setStateJson(snapshot.stateJson())
                    .setCreatedAt(snapshot.createdAt());
            if (snapshot.merkleRoot() != null) {
                out.setMerkleRoot(snapshot.merkleRoot());
            }
            if (snapshot.comment() != null) {
                out.setComment(snapshot.comment());
            }
            return out.build();
        });
    }

    @Override
    public void archiveAggregate(ArchiveAggregateRequest request, StreamObserver<GetAggregateResponse> reply) {
        archive(request, reply, true);
    }

    @Override
    public void restoreAggregate(ArchiveAggregateRequest request, StreamObserver<GetAggregateResponse> reply) {
        archive(request, reply, false);
    }

    private void archive(ArchiveAggregateRequest request, StreamObserver<GetAggregateResponse> reply, boolean on) {
        answer(request, reply, q -> GetAggregateResponse.newBuilder()
                .setAggregate(render(door.archive(
                        caller(),
                        required(q.getAggregateType(), "aggregate_type"),
                        required(q.getAggregateId(), "aggregate_id"),
                        on,
                        optional(q.getComment()))))
                .build());
    }

    @Override
    public void health(HealthRequest request, StreamObserver<HealthResponse> reply) {
        answer(request, reply, q -> door.unavailableReason()
                .map(reason -> HealthResponse.newBuilder()
                        .setStatus("unavailable")
                        .setReason(reason)
                        .build())
                .orElseGet(() -> HealthResponse.newBuilder().setStatus("ok").build()));
    }

    static EventRecord render(io.eventdbx.api.EventRecord record) {
        EventMetadata.Builder metadata =
                EventMetadata.newBuilder().setEventId(record.eventId()).setCreatedAt(record.createdAt());
        if (record.issuedBy() != null) {
            metadata.setIssuedBy(IssuedBy.newBuilder()
                    .setGroup(record.issuedBy().group())
                    .setUser(record.issuedBy().user()));
        }
        if (record.note() != null) {
            metadata.setNote(record.note());
        }
        return EventRecord.newBuilder()
                .setAggregateType(record.aggregateType())
                .setAggregateId(record.aggregateId())
                .setEventType(record.eventType())
                .setPayloadJson(record.payloadJson())
                .setMetadata(metadata)
                .setVersion(record.version())
                .setHash(record.hash())
                .setMerkleRoot(record.merkleRoot())
                .setPosition(record.position())
                .build();
    }

    static Aggregate render(AggregateState state) {
        Aggregate.Builder out = Aggregate.newBuilder()
                .setAggregateType(state.aggregateType())
                .setAggregateId(state.aggregateId())
                .setVersion(state.version())
                .setStateJson(state.stateJson())
                .setArchived(state.archived());
        if (state.merkleRoot() != null) {
            out.setMerkleRoot(state.merkleRoot());
        }
        if (state.createdAt() != null) {
            out.setCreatedAt(state.createdAt());
        }
        if (state.updatedAt() != null) {
            out.setUpdatedAt(state.updatedAt());
        }
        return out.build();
    }
}
