package io.eventdbx.benchmarks;

import io.eventdbx.proto.api.AppendEventRequest;
import io.eventdbx.proto.api.AppendEventsRequest;
import io.eventdbx.proto.api.EventRecord;
import io.eventdbx.proto.api.EventServiceGrpc;
import io.eventdbx.proto.api.SubscribeRequest;
import io.eventdbx.proto.api.SubscribeResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gRPC load generator of benchmarks/grpc_bench.py: a grpc-java client (Netty) that keeps a number of calls in
 * flight and prints one {@code RESULT {json}} line (rate, latency percentiles, events, this process's CPU).
 *
 * <pre>
 * GrpcLoad unary     --port P --token T --concurrency 64 --seconds 10 --payload JSON [--warmup 10]
 * GrpcLoad batch     --port P --token T --concurrency 8 --batch 100 --seconds 10 --payload JSON [--warmup 10]
 * GrpcLoad fill      --port P --token T --events 1000000 --batch 1000 --concurrency 4 --payload JSON
 * GrpcLoad subscribe --port P --token T --events 1000000
 * </pre>
 */
public final class GrpcLoad {

    private final Map<String, String> options;
    private final ManagedChannel[] channels;
    private final Metadata headers = new Metadata();

    private GrpcLoad(Map<String, String> options) {
        this.options = options;
        int port = Integer.parseInt(options.get("port"));
        // a few HTTP/2 connections, as a client pool would open: one connection's streams share one server thread
        channels = new ManagedChannel[Integer.parseInt(options.getOrDefault("connections", "4"))];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .usePlaintext()
                    // callbacks on the event loop: the generator does nothing that blocks, and a hop to a pool per
                    // call doubled its CPU on the two cores it shares with the server
                    .directExecutor()
                    .maxInboundMessageSize(64 << 20)
                    .build();
        }
        headers.put(
                Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + options.get("token"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        GrpcLoad load = new GrpcLoad(options);
        try {
            String result =
                    switch (args[0]) {
                        case "unary", "batch" -> load.calls(args[0].equals("batch"));
                        case "fill" -> load.fill();
                        case "subscribe" -> load.subscribe();
                        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
                    };
            System.out.println("RESULT " + result);
        } finally {
            for (ManagedChannel channel : load.channels) {
                channel.shutdownNow();
            }
        }
    }

    private EventServiceGrpc.EventServiceStub stub(int slot) {
        return EventServiceGrpc.newStub(channels[slot % channels.length])
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1e9;
    }

    private AppendEventRequest event(String id) {
        return AppendEventRequest.newBuilder()
                .setAggregateType("bench")
                .setAggregateId(id)
                .setEventType("seen")
                .setPayloadJson(options.get("payload"))
                .build();
    }

    /**
     * Keeps {@code concurrency} calls in flight (each slot on its own aggregates), first for the warm-up, then for the
     * measured seconds: unary AppendEvent, or AppendEvents of {@code batch} events.
     */
    private String calls(boolean batched) throws Exception {
        int concurrency = Integer.parseInt(options.get("concurrency"));
        int batch = batched ? Integer.parseInt(options.getOrDefault("batch", "100")) : 1;
        double warmup = Double.parseDouble(options.getOrDefault("warmup", "0"));
        double seconds = Double.parseDouble(options.get("seconds"));
        long warmupEnd = System.nanoTime() + (long) (warmup * 1e9);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency]; // latency samples kept per slot (at most latencies[s].length)
        AtomicLong measured = new AtomicLong(); // every call completed while measuring, sampled or not
        AtomicLong measuring = new AtomicLong(0); // 0 warm-up, 1 measuring, 2 done
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int slot = 0; slot < concurrency; slot++) {
            latencies[slot] = new long[1 << 16];
            int s = slot;
            new Object() {
                long sequence;

                void next() {
                    long now = System.nanoTime();
                    if (measuring.get() == 2 || failure.get() != null) {
                        done.countDown();
                        return;
                    }
                    long started = now;
                    StreamObserver<Object> answer = new StreamObserver<>() {
                        @Override
                        public void onNext(Object value) {}

                        @Override
                        public void onError(Throwable t) {
                            failure.compareAndSet(null, t);
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            if (measuring.get() == 1) {
                                measured.incrementAndGet();
                                if (counts[s] < latencies[s].length) {
                                    latencies[s][counts[s]++] = System.nanoTime() - started;
                                }
                            }
                            next();
                        }
                    };
                    sequence++;
                    if (batch == 1) {
                        stub(s).appendEvent(event("g-" + s + "-" + (sequence % 16)), cast(answer));
                    } else {
                        AppendEventsRequest.Builder request = AppendEventsRequest.newBuilder();
                        for (int i = 0; i < batch; i++) {
                            request.addEvents(event("b-" + s + "-" + (i % 16)));
                        }
                        stub(s).appendEvents(request.build(), cast(answer));
                    }
                }
            }.next();
        }
        sleepUntil(warmupEnd);
        double cpu0 = cpuSeconds();
        long t0 = System.nanoTime();
        measuring.set(1);
        sleepUntil(t0 + (long) (seconds * 1e9));
        measuring.set(2);
        long t1 = System.nanoTime();
        double cpu1 = cpuSeconds();
        done.await(60, TimeUnit.SECONDS);
        if (failure.get() != null) {
            throw new IllegalStateException("a call failed", failure.get());
        }
        List<Long> all = new ArrayList<>();
        long calls = measured.get();
        for (int s = 0; s < concurrency; s++) {
            for (int i = 0; i < counts[s]; i++) {
                all.add(latencies[s][i]);
            }
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        double elapsed = (t1 - t0) / 1e9;
        return String.format(
                "{\"calls\":%d,\"events\":%d,\"seconds\":%.3f,\"rate\":%.1f,\"event_rate\":%.1f,\"p50_ms\":%.3f,"
                        + "\"p99_ms\":%.3f,\"client_cpu\":%.3f}",
                calls,
                calls * batch,
                elapsed,
                calls / elapsed,
                calls * batch / elapsed,
                percentile(sorted, 0.5),
                percentile(sorted, 0.99),
                cpu1 - cpu0);
    }

    @SuppressWarnings("unchecked")
    private static <T> StreamObserver<T> cast(StreamObserver<Object> observer) {
        return (StreamObserver<T>) (StreamObserver<?>) observer;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000));
        }
    }

    /** Appends {@code events} events in AppendEvents calls of {@code batch}, {@code concurrency} at a time. */
    private String fill() throws Exception {
        long events = Long.parseLong(options.get("events"));
        int batch = Integer.parseInt(options.getOrDefault("batch", "1000"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "4"));
        long calls = (events + batch - 1) / batch;
        AtomicLong next = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(concurrency);
        long t0 = System.nanoTime();
        for (int slot = 0; slot < concurrency; slot++) {
            int s = slot;
            new Object() {
                void next() {
                    long call = next.getAndIncrement();
                    if (call >= calls || failure.get() != null) {
                        done.countDown();
                        return;
                    }
                    AppendEventsRequest.Builder request = AppendEventsRequest.newBuilder();
                    for (int i = 0; i < batch; i++) {
                        request.addEvents(event("f-" + s + "-" + (i % 64)));
                    }
                    stub(s).appendEvents(request.build(), new StreamObserver<>() {
                        @Override
                        public void onNext(io.eventdbx.proto.api.AppendEventsResponse value) {}

                        @Override
                        public void onError(Throwable t) {
                            failure.compareAndSet(null, t);
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            next();
                        }
                    });
                }
            }.next();
        }
        done.await();
        if (failure.get() != null) {
            throw new IllegalStateException("a call failed", failure.get());
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        return String.format(
                "{\"events\":%d,\"seconds\":%.3f,\"event_rate\":%.1f}",
                calls * batch, elapsed, calls * batch / elapsed);
    }

    /** Subscribes from position 1 and counts until {@code events} events arrived: the catch-up rate. */
    private String subscribe() throws Exception {
        long events = Long.parseLong(options.get("events"));
        AtomicLong seen = new AtomicLong();
        AtomicLong lastPosition = new AtomicLong();
        CountDownLatch enough = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        double cpu0 = cpuSeconds();
        long t0 = System.nanoTime();
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        context.run(() -> stub(0).subscribe(
                        SubscribeRequest.newBuilder().setFromPosition(1).build(), new StreamObserver<>() {
                            @Override
                            public void onNext(SubscribeResponse value) {
                                for (EventRecord event : value.getEventsList()) {
                                    lastPosition.set(event.getPosition());
                                    if (seen.incrementAndGet() == events) {
                                        enough.countDown();
                                    }
                                }
                            }

                            @Override
                            public void onError(Throwable t) {
                                failure.compareAndSet(null, t);
                                enough.countDown();
                            }

                            @Override
                            public void onCompleted() {
                                enough.countDown();
                            }
                        }));
        enough.await(30, TimeUnit.MINUTES);
        long t1 = System.nanoTime();
        double cpu1 = cpuSeconds();
        context.cancel(null);
        if (failure.get() != null && seen.get() < events) {
            throw new IllegalStateException("the stream failed after " + seen.get() + " events", failure.get());
        }
        double elapsed = (t1 - t0) / 1e9;
        return String.format(
                "{\"events\":%d,\"last_position\":%d,\"seconds\":%.3f,\"event_rate\":%.1f,\"client_cpu\":%.3f}",
                seen.get(), lastPosition.get(), elapsed, seen.get() / elapsed, cpu1 - cpu0);
    }
}
