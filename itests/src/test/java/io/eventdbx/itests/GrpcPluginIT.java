package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.proto.api.EventRecord;
import io.eventdbx.proto.replication.ApplyEventsRequest;
import io.eventdbx.proto.replication.ApplyEventsResponse;
import io.eventdbx.proto.replication.ReplicationGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grpc plugin against a real gRPC receiver (grpc-java with Netty, stubs generated from docs/proto as any
 * receiver's would be): delivery, order per aggregate, and delivery of what waited while the receiver was down.
 */
class GrpcPluginIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    /** The receiver: every event it was given, in arrival order. */
    private final List<EventRecord> received = new CopyOnWriteArrayList<>();

    private Server receiver(int port) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .addService(new ReplicationGrpc.ReplicationImplBase() {
                    @Override
                    public void applyEvents(ApplyEventsRequest request, StreamObserver<ApplyEventsResponse> reply) {
                        received.addAll(request.getEventsList());
                        reply.onNext(ApplyEventsResponse.newBuilder()
                                .setApplied(request.getEventsCount())
                                .build());
                        reply.onCompleted();
                    }
                })
                .build()
                .start();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within 90 s");
            Thread.sleep(20); // polling a condition with a deadline
        }
    }

    private Set<String> receivedIds() {
        Set<String> ids = new HashSet<>();
        received.forEach(r -> ids.add(r.getMetadata().getEventId()));
        return ids;
    }

    private static String append(RestClient api, String token, String id, int n) throws Exception {
        RestClient.Reply reply = api.append(
                token,
                "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"" + id
                        + "\",\"event_type\":\"seen\",\"payload\":{\"n\":" + n + "}}");
        assertEquals(201, reply.status(), reply.raw());
        return reply.body().path("metadata").path("event_id").asText();
    }

    @Test
    void eventsReachARealReceiverInOrderAndWhatWaitedWhileItWasDownFollows() throws Exception {
        Dbx dbx = new Dbx(temp);
        RestClient api = new RestClient(dbx.httpPort);
        int port = Dbx.freePort();
        Server server = receiver(port);
        try {
            assertEquals(0, dbx.run("start").exit());
            String admin = RestClient.token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            Dbx.Result bad = dbx.run("plugin", "config", "grpc", "--name", "audit-grpc", "--endpoint", "http://h:1");
            assertEquals(2, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("grpc://host:port"), bad.toString());
            Dbx.Result types = dbx.run("plugin", "types");
            assertTrue(types.out().contains("grpc"), types.toString());

            // the seed's commands, with this receiver's address
            Dbx.Result config = dbx.run(
                    "plugin", "config", "grpc", "--name", "audit-grpc", "--endpoint", "grpc://127.0.0.1:" + port);
            assertEquals(0, config.exit(), config.toString());
            Dbx.Result enable = dbx.run("plugin", "enable", "audit-grpc");
            assertEquals(0, enable.exit(), enable.toString());

            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                acknowledged.add(append(api, admin, "p-" + (i % 6), i));
            }
            await(() -> receivedIds().containsAll(acknowledged), "every event at the receiver");

            // the receiver goes away; events wait in the plugin's queue and follow once it is back
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            for (int i = 120; i < 200; i++) {
                acknowledged.add(append(api, admin, "p-" + (i % 6), i));
            }
            await(
                    () -> {
                        Dbx.Result list = dbx.run("plugin", "list", "--json");
                        try {
                            for (JsonNode p : JSON.readTree(list.out())) {
                                if (p.path("name").asText().equals("audit-grpc")) {
                                    return p.path("lag").asLong() > 0;
                                }
                            }
                        } catch (IOException e) {
                            throw new AssertionError(list.toString(), e);
                        }
                        return false;
                    },
                    "dbx plugin list showing the events that wait");
            server = receiver(port);
            await(() -> receivedIds().containsAll(acknowledged), "what waited, once the receiver is back");

            // order per aggregate: each aggregate's first sightings come version after version
            Map<String, Long> last = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (EventRecord r : received) {
                if (!seen.add(r.getMetadata().getEventId())) {
                    continue; // at least once: a batch may come again
                }
                Long before = last.put(r.getAggregateId(), r.getVersion());
                assertTrue(
                        before == null || before == r.getVersion() - 1,
                        r.getAggregateId() + " out of order at version " + r.getVersion());
                assertEquals("root", r.getMetadata().getIssuedBy().getUser());
                assertEquals(64, r.getHash().length());
            }
            assertEquals(200, seen.size());
        } finally {
            dbx.run("stop");
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
