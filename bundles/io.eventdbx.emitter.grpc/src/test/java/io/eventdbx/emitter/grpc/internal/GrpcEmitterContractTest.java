package io.eventdbx.emitter.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.EmitterContract;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import io.eventdbx.proto.api.EventRecord;
import io.eventdbx.proto.replication.ApplyEventsRequest;
import io.eventdbx.proto.replication.ApplyEventsResponse;
import io.eventdbx.proto.replication.ReplicationGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract against a real gRPC server on loopback (grpc-java with Netty) implementing ApplyEvents. */
class GrpcEmitterContractTest extends EmitterContract {

    private final List<EventRecord> records = new CopyOnWriteArrayList<>();
    private final List<String> sources = new CopyOnWriteArrayList<>();
    /** How many of each batch the receiver applies (-1: all), or the status it fails with. */
    private final AtomicLong applies = new AtomicLong(-1);

    private final AtomicReference<Status> failure = new AtomicReference<>();
    private Server server;

    @BeforeEach
    void receiver() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(new ReplicationGrpc.ReplicationImplBase() {
                    @Override
                    public void applyEvents(ApplyEventsRequest request, StreamObserver<ApplyEventsResponse> reply) {
                        if (failure.get() != null) {
                            reply.onError(failure.get().asRuntimeException());
                            return;
                        }
                        long n = applies.get() < 0 ? request.getEventsCount() : applies.get();
                        records.addAll(request.getEventsList().subList(0, (int) n));
                        sources.add(request.getSource());
                        reply.onNext(
                                ApplyEventsResponse.newBuilder().setApplied(n).build());
                        reply.onCompleted();
                    }
                })
                .build()
                .start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Override
    protected EmitterFactory factory() {
        return new GrpcEmitterFactory();
    }

    @Override
    protected Map<String, List<String>> liveOptions() {
        return Map.of("endpoint", List.of("grpc://127.0.0.1:" + server.getPort()));
    }

    @Override
    protected Map<String, List<String>> unreachableOptions() {
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return Map.of("endpoint", List.of("127.0.0.1:" + closed.getLocalPort()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected List<String> received() {
        return records.stream()
                .map(r -> r.getMetadata().getEventId() + " " + r.getAggregateId() + " " + r.getPayloadJson())
                .toList();
    }

    @Override
    protected boolean matches(String text, Envelope envelope) {
        return text.equals(envelope.eventId() + " " + envelope.aggregateId() + " {\"n\":" + envelope.position() + "}");
    }

    @Test
    void everyFieldOfTheEventRecordArrives() {
        try (var emitter = factory().create("audit", liveOptions())) {
            assertEquals(
                    Delivery.Outcome.DELIVERED,
                    emitter.deliver(List.of(envelope(7, "p-7"))).outcome());
        }
        EventRecord r = records.get(0);
        assertEquals("patient", r.getAggregateType());
        assertEquals("seen", r.getEventType());
        assertEquals(7, r.getVersion());
        assertEquals(7, r.getPosition());
        assertEquals("ab".repeat(32), r.getHash());
        assertEquals("cd".repeat(32), r.getMerkleRoot());
        assertEquals("2026-12-02T10:00:00.000000Z", r.getMetadata().getCreatedAt());
        assertEquals("jane", r.getMetadata().getIssuedBy().getUser());
        assertEquals(List.of("audit"), sources, "the instance's name is the source");
    }

    @Test
    void aPartlyAppliedBatchOrAFailingReceiverIsARetryFromWhereItStopped() {
        applies.set(2);
        try (var emitter = factory().create("audit", liveOptions())) {
            Delivery partly = emitter.deliver(List.of(envelope(1, "a"), envelope(2, "b"), envelope(3, "c")));
            assertEquals(Delivery.Outcome.RETRY, partly.outcome());
            assertEquals(2, partly.delivered());
            assertTrue(partly.reason().contains("applied 2 of 3"), partly.reason());
            failure.set(Status.FAILED_PRECONDITION.withDescription("replica is behind"));
            Delivery refused = emitter.deliver(List.of(envelope(3, "c")));
            assertEquals(Delivery.Outcome.RETRY, refused.outcome());
            assertTrue(refused.reason().contains("FAILED_PRECONDITION replica is behind"), refused.reason());
            failure.set(Status.UNAVAILABLE.withDescription("draining"));
            assertEquals(
                    Delivery.Outcome.UNREACHABLE,
                    emitter.deliver(List.of(envelope(3, "c"))).outcome());
        }
    }

    @Test
    void endpointsAreCheckedWhenConfigured() {
        for (String bad : List.of("http://h:1", "grpc://h", "grpc://h:1/path", "::nonsense")) {
            assertThrows(
                    IllegalArgumentException.class, () -> factory().create("g", Map.of("endpoint", List.of(bad))), bad);
        }
        assertEquals(
                "grpcs",
                GrpcEmitterFactory.endpoint("grpcs://replica.internal:8800").getScheme());
        assertEquals(8800, GrpcEmitterFactory.endpoint("replica.internal:8800").getPort());
    }
}
