package io.eventdbx.emitter.grpc.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.Envelope;
import io.eventdbx.proto.api.EventMetadata;
import io.eventdbx.proto.api.EventRecord;
import io.eventdbx.proto.api.IssuedBy;
import io.eventdbx.proto.replication.ApplyEventsRequest;
import io.eventdbx.proto.replication.ApplyEventsResponse;
import io.eventdbx.proto.replication.ReplicationGrpc;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** One grpc plugin instance: a channel to its endpoint, a call per batch. */
final class GrpcEmitter implements Emitter {

    static final long TIMEOUT_SECONDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final URI endpoint;
    private final ExecutorService executor;
    private final ManagedChannel channel;

    GrpcEmitter(String name, URI endpoint) {
        this.name = name;
        this.endpoint = endpoint;
        // the channel's own callback thread, released by close(): the bundle can be updated live
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dbx-grpc-emitter-" + name);
            t.setDaemon(true);
            return t;
        });
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort())
                .executor(executor);
        if ("grpcs".equals(endpoint.getScheme())) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        this.channel = builder.build();
    }

    @Override
    public Delivery deliver(List<Envelope> batch) {
        ApplyEventsRequest.Builder request = ApplyEventsRequest.newBuilder().setSource(name);
        for (Envelope envelope : batch) {
            try {
                request.addEvents(record(envelope));
            } catch (IOException | RuntimeException e) {
                return Delivery.failed(0, "event " + envelope.eventId() + " cannot be encoded: " + e.getMessage());
            }
        }
        ApplyEventsResponse response;
        try {
            response = ReplicationGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .applyEvents(request.build());
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String reason = "ApplyEvents at " + endpoint + ": " + status.getCode()
                    + (status.getDescription() == null ? "" : " " + status.getDescription());
            return status.getCode() == Status.Code.UNAVAILABLE
                    ? Delivery.unreachable(0, reason)
                    : Delivery.retry(0, null, reason);
        }
        long applied = response.getApplied();
        if (applied >= batch.size()) {
            return Delivery.delivered(batch.size());
        }
        return Delivery.retry(
                (int) applied,
                null,
                "ApplyEvents at " + endpoint + " applied " + applied + " of " + batch.size() + " events");
    }

    /** The envelope's EventRecord JSON (the seed's shape) as the protobuf message. */
    static EventRecord record(Envelope envelope) throws IOException {
        JsonNode json = JSON.readTree(envelope.json());
        JsonNode metadata = json.path("metadata");
        EventMetadata.Builder meta = EventMetadata.newBuilder()
                .setEventId(metadata.path("event_id").asText())
                .setCreatedAt(metadata.path("created_at").asText());
        JsonNode issuedBy = metadata.path("issued_by");
        if (issuedBy.isObject()) {
            meta.setIssuedBy(IssuedBy.newBuilder()
                    .setGroup(issuedBy.path("group").asText())
                    .setUser(issuedBy.path("user").asText()));
        }
        if (metadata.hasNonNull("note")) {
            meta.setNote(metadata.path("note").asText());
        }
        return EventRecord.newBuilder()
                .setAggregateType(envelope.aggregateType())
                .setAggregateId(envelope.aggregateId())
                .setEventType(envelope.eventType())
                .setPayloadJson(JSON.writeValueAsString(json.path("payload")))
                .setMetadata(meta)
                .setVersion(envelope.version())
                .setHash(json.path("hash").asText())
                .setMerkleRoot(json.path("merkle_root").asText())
                .setPosition(envelope.position())
                .build();
    }

    @Override
    public void check() throws IOException, InterruptedException {
        // reachable means an HTTP/2 connection: the receiver's methods are only known once events flow
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        ConnectivityState state = channel.getState(true);
        while (state != ConnectivityState.READY) {
            if (state == ConnectivityState.TRANSIENT_FAILURE || state == ConnectivityState.SHUTDOWN) {
                throw new IOException("cannot reach " + endpoint + " (" + state + ")");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("cannot reach " + endpoint + " within " + TIMEOUT_SECONDS + " s");
            }
            CountDownLatch changed = new CountDownLatch(1);
            channel.notifyWhenStateChanged(state, changed::countDown);
            changed.await(left, TimeUnit.NANOSECONDS);
            state = channel.getState(false);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        executor.shutdownNow();
    }
}
