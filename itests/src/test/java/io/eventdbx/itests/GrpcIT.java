package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.proto.api.AppendEventRequest;
import io.eventdbx.proto.api.AppendEventsRequest;
import io.eventdbx.proto.api.EventRecord;
import io.eventdbx.proto.api.EventServiceGrpc;
import io.eventdbx.proto.api.GetAggregateRequest;
import io.eventdbx.proto.api.HealthRequest;
import io.eventdbx.proto.api.ListAggregatesRequest;
import io.eventdbx.proto.api.ListEventsRequest;
import io.eventdbx.proto.api.ProveInclusionRequest;
import io.eventdbx.proto.api.SubscribeRequest;
import io.eventdbx.proto.api.SubscribeResponse;
import io.eventdbx.proto.api.VerifyAggregateRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC API on the HTTP port (h2c), driven by grpcurl (an outside client, through reflection alone) and by a
 * grpc-java client for the calls grpcurl cannot show well (batches, streams, status trailers).
 */
class GrpcIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private static EventServiceGrpc.EventServiceBlockingStub as(ManagedChannel channel, String token) {
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        }
        return EventServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static EventServiceGrpc.EventServiceStub async(ManagedChannel channel, String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return EventServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** A unary method that sends and receives raw bytes: for requests no generated stub would make. */
    private static io.grpc.MethodDescriptor<byte[], byte[]> raw(String fullName) {
        io.grpc.MethodDescriptor.Marshaller<byte[]> bytes = new io.grpc.MethodDescriptor.Marshaller<>() {
            @Override
            public java.io.InputStream stream(byte[] value) {
                return new java.io.ByteArrayInputStream(value);
            }

            @Override
            public byte[] parse(java.io.InputStream stream) {
                try {
                    return stream.readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        return io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullName)
                .setRequestMarshaller(bytes)
                .setResponseMarshaller(bytes)
                .build();
    }

    private static byte[] call(
            ManagedChannel channel, String token, io.grpc.MethodDescriptor<byte[], byte[]> method, byte[] body) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        io.grpc.Channel authorized =
                io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        return io.grpc.stub.ClientCalls.blockingUnaryCall(
                authorized, method, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), body);
    }

    private static ManagedChannel channel(Dbx dbx) {
        return NettyChannelBuilder.forAddress("127.0.0.1", dbx.httpPort)
                .usePlaintext()
                .build();
    }

    private static AppendEventRequest event(String id, String payload) {
        return AppendEventRequest.newBuilder()
                .setAggregateType("patient")
                .setAggregateId(id)
                .setEventType("patient-updated")
                .setPayloadJson(payload)
                .build();
    }

    private static StatusRuntimeException refused(Status.Code code, String refusal, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        if (refusal != null) {
            assertEquals(
                    refusal,
                    e.getTrailers().get(Metadata.Key.of("eventdbx-code", Metadata.ASCII_STRING_MARSHALLER)),
                    e.toString());
        }
        assertFalse(e.getStatus().getDescription() == null
                || e.getStatus().getDescription().contains("\tat "));
        return e;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20); // polling a condition with a deadline
        }
    }

    @Test
    void theSeedsGrpcurlExampleWorksAsWrittenThroughReflectionAlone() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        try {
            String token = RestClient.token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            String address = "127.0.0.1:" + dbx.httpPort;
            RestConformanceIT.Run list = Grpcurl.run("-plaintext", address, "list");
            assertEquals(0, list.exit(), list.out());
            for (String service : List.of(
                    "dbx.api.EventService",
                    "grpc.health.v1.Health",
                    "grpc.reflection.v1.ServerReflection",
                    "grpc.reflection.v1alpha.ServerReflection")) {
                assertTrue(list.out().contains(service), list.out());
            }
            RestConformanceIT.Run describe = Grpcurl.run("-plaintext", address, "describe", "dbx.api.EventService");
            assertEquals(0, describe.exit(), describe.out());
            assertTrue(describe.out().contains("rpc AppendEvent ( .dbx.api.AppendEventRequest )"), describe.out());
            assertTrue(
                    describe.out().contains("rpc Subscribe ( .dbx.api.SubscribeRequest ) returns ( stream"),
                    describe.out());
            RestConformanceIT.Run health = Grpcurl.run("-plaintext", address, "grpc.health.v1.Health/Check");
            assertEquals(0, health.exit(), health.out());
            assertTrue(health.out().contains("\"SERVING\""), health.out());

            // the seed's command, verbatim but for the token and the port
            RestConformanceIT.Run append = Grpcurl.run(
                    "-H",
                    "authorization: Bearer " + token,
                    "-d",
                    "{\n        \"aggregate_type\": \"patient\",\n        \"aggregate_id\": \"p-001\",\n"
                            + "        \"event_type\": \"patient-updated\",\n"
                            + "        \"payload_json\": \"{\\\"status\\\":\\\"inactive\\\"}\"\n      }",
                    "-plaintext",
                    address,
                    "dbx.api.EventService/AppendEvent");
            assertEquals(0, append.exit(), append.out());
            JsonNode record = JSON.readTree(append.out()).path("event");
            assertEquals("patient", record.path("aggregate_type").asText(), append.out());
            assertEquals("1", record.path("version").asText(), append.out());
            assertEquals(
                    "root",
                    record.path("metadata").path("issued_by").path("user").asText());
            assertEquals(64, record.path("merkle_root").asText().length());

            RestConformanceIT.Run noToken = Grpcurl.run(
                    "-d",
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-001\"}",
                    "-plaintext",
                    address,
                    "dbx.api.EventService/GetAggregate");
            assertTrue(noToken.exit() != 0 && noToken.out().contains("Unauthenticated"), noToken.out());
            RestConformanceIT.Run probe = Grpcurl.run("-plaintext", address, "dbx.api.EventService/Health");
            assertEquals(0, probe.exit(), probe.out());
            assertTrue(probe.out().contains("\"ok\""), probe.out());
            RestConformanceIT.Run get = Grpcurl.run(
                    "-H",
                    "authorization: Bearer " + token,
                    "-d",
                    "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-001\"}",
                    "-plaintext",
                    address,
                    "dbx.api.EventService/GetAggregate");
            assertEquals(0, get.exit(), get.out());
            assertEquals(
                    "{\"status\":\"inactive\"}",
                    JSON.readTree(get.out())
                            .path("aggregate")
                            .path("state_json")
                            .asText());
            // REST answers on the same port, over HTTP/1.1
            HttpResponse<String> rest = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://" + address + "/v1/aggregates/patient/p-001"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, rest.statusCode(), rest.body());
        } finally {
            dbx.run("stop");
        }
    }

    @Test
    void batchesStreamsAndEveryRefusalThroughAGrpcJavaClient() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        ManagedChannel channel = channel(dbx);
        try {
            String admin = RestClient.token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            String scoped = RestClient.token(
                    dbx,
                    "--group",
                    "ops",
                    "--user",
                    "nurse",
                    "--action",
                    "aggregate.read",
                    "--action",
                    "aggregate.append",
                    "--resource",
                    "aggregate:patient:w-*");
            String limited = RestClient.token(
                    dbx,
                    "--group",
                    "ops",
                    "--user",
                    "once",
                    "--limit",
                    "1",
                    "--action",
                    "aggregate.append",
                    "--resource",
                    "*");
            var root = as(channel, admin);

            // a subscriber from position 1 sees the batch and then what comes live, in log order
            List<EventRecord> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();
            ClientCallStreamObserver<?>[] stream = new ClientCallStreamObserver<?>[1];
            async(channel, admin)
                    .subscribe(
                            SubscribeRequest.newBuilder()
                                    .setFromPosition(1)
                                    .setAggregateType("patient")
                                    .build(),
                            new ClientResponseObserver<SubscribeRequest, SubscribeResponse>() {
                                @Override
                                public void beforeStart(ClientCallStreamObserver<SubscribeRequest> call) {
                                    stream[0] = call;
                                }

                                @Override
                                public void onNext(SubscribeResponse value) {
                                    assertFalse(value.getEventsList().isEmpty(), "a message holds events");
                                    seen.addAll(value.getEventsList());
                                }

                                @Override
                                public void onError(Throwable t) {
                                    streamEnd.complete(t);
                                }

                                @Override
                                public void onCompleted() {
                                    streamEnd.complete(null);
                                }
                            });

            // AppendEvents: atomic; one bad event and nothing is written
            var batch = root.appendEvents(AppendEventsRequest.newBuilder()
                    .addEvents(event("w-1", "{\"n\":\"1\"}"))
                    .addEvents(event("w-2", "{\"n\":\"2\"}"))
                    .addEvents(event("w-1", "{\"n\":\"3\"}").toBuilder().setExpectedVersion(1))
                    .build());
            assertEquals(
                    List.of(1L, 1L, 2L),
                    batch.getEventsList().stream().map(EventRecord::getVersion).toList());
            StatusRuntimeException conflict = refused(
                    Status.Code.FAILED_PRECONDITION,
                    "CONFLICT",
                    () -> root.appendEvents(AppendEventsRequest.newBuilder()
                            .addEvents(event("w-3", "{}"))
                            .addEvents(event("w-1", "{}").toBuilder().setExpectedVersion(7))
                            .build()));
            assertEquals(
                    "1",
                    conflict.getTrailers().get(Metadata.Key.of("eventdbx-index", Metadata.ASCII_STRING_MARSHALLER)));
            refused(
                    Status.Code.NOT_FOUND,
                    "NOT_FOUND",
                    () -> root.getAggregate(GetAggregateRequest.newBuilder()
                            .setAggregateType("patient")
                            .setAggregateId("w-3")
                            .build()));
            root.appendEvent(event("w-4", "{\"live\":\"yes\"}"));
            await(() -> seen.size() == 4, "the batch and the live event on the stream");
            assertEquals(
                    List.of("w-1", "w-2", "w-1", "w-4"),
                    seen.stream().map(EventRecord::getAggregateId).toList());
            assertEquals(
                    List.of(1L, 2L, 3L, 4L),
                    seen.stream().map(EventRecord::getPosition).toList(),
                    "log order, no gap");
            stream[0].cancel("done", null);
            assertEquals(
                    Status.Code.CANCELLED,
                    Status.fromThrowable(streamEnd.get(30, TimeUnit.SECONDS)).getCode());

            // reads, verification and proofs
            assertEquals(
                    List.of("w-1", "w-2", "w-4"),
                    root.listAggregates(ListAggregatesRequest.getDefaultInstance()).getAggregatesList().stream()
                            .map(a -> a.getAggregateId())
                            .toList());
            assertEquals(
                    2,
                    root.listEvents(ListEventsRequest.newBuilder()
                                    .setAggregateType("patient")
                                    .setAggregateId("w-1")
                                    .build())
                            .getEventsCount());
            assertTrue(root.verifyAggregate(VerifyAggregateRequest.newBuilder()
                            .setAggregateType("patient")
                            .setAggregateId("w-1")
                            .build())
                    .getOk());
            assertEquals(
                    batch.getEvents(2).getMerkleRoot(),
                    root.proveInclusion(ProveInclusionRequest.newBuilder()
                                    .setAggregateType("patient")
                                    .setAggregateId("w-1")
                                    .setVersion(1)
                                    .build())
                            .getMerkleRoot());

            // refusals: each with its status and the door's code in the trailers
            refused(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> as(channel, null)
                    .getAggregate(GetAggregateRequest.newBuilder()
                            .setAggregateType("patient")
                            .setAggregateId("w-1")
                            .build()));
            String[] parts = scoped.split("\\.");
            String forged = parts[0] + "."
                    + Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(new String(
                                            Base64.getUrlDecoder().decode(parts[1]),
                                            java.nio.charset.StandardCharsets.UTF_8)
                                    .replace("aggregate:patient:w-*", "*")
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    + "." + parts[2];
            refused(Status.Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> as(channel, forged)
                    .appendEvent(event("x-1", "{}")));
            refused(Status.Code.PERMISSION_DENIED, "FORBIDDEN", () -> as(channel, scoped)
                    .appendEvent(event("x-1", "{}")));
            as(channel, scoped).appendEvent(event("w-5", "{}"));
            as(channel, limited).appendEvent(event("l-1", "{}"));
            refused(Status.Code.RESOURCE_EXHAUSTED, "WRITE_LIMIT_REACHED", () -> as(channel, limited)
                    .appendEvent(event("l-2", "{}")));
            refused(Status.Code.INVALID_ARGUMENT, "INVALID_ARGUMENT", () -> root.appendEvent(event("b-1", "{oops")));
            refused(
                    Status.Code.INVALID_ARGUMENT,
                    "INVALID_ARGUMENT",
                    () -> root.appendEvent(AppendEventRequest.newBuilder()
                            .setAggregateType("patient")
                            .build()));
            refused(
                    Status.Code.INVALID_ARGUMENT,
                    "INVALID_ARGUMENT",
                    () -> root.appendEvents(AppendEventsRequest.getDefaultInstance()));
            StringBuilder huge = new StringBuilder("{\"big\":\"");
            huge.append("x".repeat(3 * 1024 * 1024)).append("\"}");
            StatusRuntimeException tooBig =
                    assertThrows(StatusRuntimeException.class, () -> root.appendEvent(event("h-1", huge.toString())));
            assertTrue(
                    List.of(Status.Code.RESOURCE_EXHAUSTED, Status.Code.INVALID_ARGUMENT)
                            .contains(tooBig.getStatus().getCode()),
                    tooBig.toString());
            refused(
                    Status.Code.NOT_FOUND,
                    "NOT_FOUND",
                    () -> root.getAggregate(GetAggregateRequest.newBuilder()
                            .setAggregateType("patient")
                            .setAggregateId("h-1")
                            .build()));
            assertEquals(
                    "ok",
                    as(channel, null).health(HealthRequest.getDefaultInstance()).getStatus());

            // what no generated stub sends: an unknown method, bytes that are no message, a message over the limit
            io.grpc.MethodDescriptor<byte[], byte[]> unknown = raw("dbx.api.EventService/Nope");
            StatusRuntimeException nope =
                    assertThrows(StatusRuntimeException.class, () -> call(channel, admin, unknown, new byte[0]));
            assertEquals(Status.Code.UNIMPLEMENTED, nope.getStatus().getCode(), nope.toString());
            io.grpc.MethodDescriptor<byte[], byte[]> append = raw("dbx.api.EventService/AppendEvent");
            StatusRuntimeException garbage = assertThrows(
                    StatusRuntimeException.class,
                    () -> call(channel, admin, append, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02}));
            assertEquals(Status.Code.INVALID_ARGUMENT, garbage.getStatus().getCode(), garbage.toString());
            assertTrue(garbage.getStatus().getDescription().contains("AppendEvent"), garbage.toString());
            assertFalse(String.valueOf(garbage.getStatus().getDescription()).contains("\tat "), garbage.toString());
            byte[] overLimit =
                    event("g-1", "{\"x\":\"" + "y".repeat(5 << 20) + "\"}").toByteArray();
            StatusRuntimeException limit =
                    assertThrows(StatusRuntimeException.class, () -> call(channel, admin, append, overLimit));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, limit.getStatus().getCode(), limit.toString());
            refused(
                    Status.Code.NOT_FOUND,
                    "NOT_FOUND",
                    () -> root.getAggregate(GetAggregateRequest.newBuilder()
                            .setAggregateType("patient")
                            .setAggregateId("g-1")
                            .build()));
            // the server is fine after all that
            assertEquals(1, root.appendEvent(event("g-2", "{}")).getEvent().getVersion());
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            dbx.run("stop");
        }
    }

    @Test
    void stoppingTheGrpcBundleEndsStreamsWithUnavailableRestKeepsServingAndClientsComeBack() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        ManagedChannel channel = channel(dbx);
        try {
            String admin = RestClient.token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            as(channel, admin).appendEvent(event("r-1", "{}"));
            CompletableFuture<Throwable> streamEnd = new CompletableFuture<>();
            List<EventRecord> seen = new CopyOnWriteArrayList<>();
            async(channel, admin).subscribe(SubscribeRequest.getDefaultInstance(), new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(SubscribeResponse value) {
                    seen.addAll(value.getEventsList());
                }

                @Override
                public void onError(Throwable t) {
                    streamEnd.complete(t);
                }

                @Override
                public void onCompleted() {
                    streamEnd.complete(null);
                }
            });
            await(() -> seen.size() == 1, "the stored event on the stream");
            Dbx.Result stop = dbx.run("bundle", "stop", "io.eventdbx.grpc");
            assertEquals(0, stop.exit(), stop.toString());
            Throwable ended = streamEnd.get(30, TimeUnit.SECONDS);
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(ended).getCode(), String.valueOf(ended));
            RestClient rest = new RestClient(dbx.httpPort);
            assertEquals(200, rest.get("/v1/aggregates/patient/r-1", admin).status());
            StatusRuntimeException gone = assertThrows(
                    StatusRuntimeException.class, () -> as(channel, admin).appendEvent(event("r-2", "{}")));
            assertEquals(Status.Code.UNIMPLEMENTED, gone.getStatus().getCode(), gone.toString());
            assertEquals(0, dbx.run("bundle", "start", "io.eventdbx.grpc").exit());
            List<Status.Code> outcomes = new ArrayList<>();
            await(
                    () -> {
                        try {
                            as(channel, admin).appendEvent(event("r-2", "{}"));
                            return true;
                        } catch (StatusRuntimeException e) {
                            outcomes.add(e.getStatus().getCode());
                            return false;
                        }
                    },
                    "gRPC answering again after the bundle started");
            assertEquals(
                    1,
                    as(channel, admin)
                            .getAggregate(GetAggregateRequest.newBuilder()
                                    .setAggregateType("patient")
                                    .setAggregateId("r-2")
                                    .build())
                            .getAggregate()
                            .getVersion(),
                    "r-2 was written once, after the restart (refused before: " + outcomes + ")");

            // an update in place of both gRPC bundles (new revisions, refreshed wiring): served again afterwards
            for (String bundle : List.of("io.eventdbx.lib.grpc", "io.eventdbx.grpc")) {
                Dbx.Result update = dbx.run("bundle", "update", bundle);
                assertEquals(0, update.exit(), update.toString());
            }
            assertEquals(0, dbx.run("bundle", "refresh").exit());
            await(
                    () -> {
                        try {
                            as(channel, admin).appendEvent(event("r-3", "{}"));
                            return true;
                        } catch (StatusRuntimeException e) {
                            return false;
                        }
                    },
                    "gRPC answering after the update");
            assertEquals(200, rest.get("/v1/aggregates/patient/r-3", admin).status(), "REST served throughout");
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            dbx.run("stop");
        }
    }

    @Test
    void aGrpcBindAddressOnAnotherPortGivesGrpcItsOwnListener() throws Exception {
        Dbx dbx = new Dbx(temp);
        int grpcPort = Dbx.freePort();
        java.nio.file.Files.writeString(
                dbx.dataDir.resolve("config.toml"),
                "\n[grpc]\nbind_addr = \"127.0.0.1:" + grpcPort + "\"\n",
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(0, dbx.run("start").exit());
        ManagedChannel own = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
        try {
            String admin = RestClient.token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            assertEquals(
                    1, as(own, admin).appendEvent(event("o-1", "{}")).getEvent().getVersion());
            RestConformanceIT.Run health =
                    Grpcurl.run("-plaintext", "127.0.0.1:" + grpcPort, "grpc.health.v1.Health/Check");
            assertTrue(health.out().contains("\"SERVING\""), health.out());
            Dbx.Result status = dbx.run("status", "--json");
            assertEquals(
                    "127.0.0.1:" + grpcPort,
                    JSON.readTree(status.out()).path("listeners").path("grpc").asText(),
                    status.toString());
        } finally {
            own.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            dbx.run("stop");
        }
    }

    @Test
    void withoutGrpcInApiNothingAnswersGrpc() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start", "--api", "rest").exit());
        ManagedChannel channel = channel(dbx);
        try {
            String admin = RestClient.token(dbx, "--group", "ops", "--user", "root", "--action", "admin");
            // REST has the path: it knows no such resource (HTTP 404, which a gRPC client reads as UNIMPLEMENTED)
            StatusRuntimeException none = assertThrows(
                    StatusRuntimeException.class, () -> as(channel, admin).health(HealthRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNIMPLEMENTED, none.getStatus().getCode(), none.toString());
            Dbx.Result bundles = dbx.run("bundle", "list", "--json");
            assertFalse(bundles.out().contains("io.eventdbx.grpc"), "no gRPC bundle is installed: " + bundles.out());
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            dbx.run("stop");
        }
    }
}
