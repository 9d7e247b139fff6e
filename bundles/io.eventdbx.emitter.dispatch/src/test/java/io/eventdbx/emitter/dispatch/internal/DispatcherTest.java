package io.eventdbx.emitter.dispatch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.core.internal.EventStoreEngine;
import io.eventdbx.crypto.internal.CryptoComponent;
import io.eventdbx.emitter.api.Delivery;
import io.eventdbx.emitter.api.Emitter;
import io.eventdbx.emitter.api.EmitterFactory;
import io.eventdbx.emitter.api.Envelope;
import io.eventdbx.emitter.api.PluginAdmin;
import io.eventdbx.emitter.api.PluginException;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dispatcher on the real engine (in memory) and real encryption, with a recording emitter type. */
class DispatcherTest {

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private InMemoryStorageEngine storage;
    private EventStoreEngine store;
    private CryptoComponent crypto;
    private Dispatcher dispatcher;
    /** What the receiver got, per instance: event ids in arrival order. */
    private final Map<String, List<Envelope>> received = new ConcurrentHashMap<>();
    /** Which envelopes the receiver refuses (retry) for now. */
    private volatile Predicate<Envelope> refuse = e -> false;
    /** Whether the receiver cannot be reached at all. */
    private volatile boolean away;

    private final EmitterFactory recording = new EmitterFactory() {
        @Override
        public String type() {
            return "rec";
        }

        @Override
        public String description() {
            return "records what it receives";
        }

        @Override
        public List<Option> options() {
            return List.of(
                    new Option("secret", "a credential", false, false, false, true),
                    new Option("map", "mappings", false, true, false, false));
        }

        @Override
        public Emitter create(String name, Map<String, List<String>> options) {
            return batch -> {
                int n = 0;
                if (away) {
                    return Delivery.unreachable(0, "connection refused");
                }
                for (Envelope e : batch) {
                    if (refuse.test(e)) {
                        return Delivery.retry(n, null, "refused " + e.aggregateId());
                    }
                    received.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
                            .add(e);
                    n++;
                }
                return Delivery.delivered(n);
            };
        }
    };

    @BeforeEach
    void open() throws Exception {
        storage = new InMemoryStorageEngine();
        crypto = new CryptoComponent(storage, dir.resolve("keys"));
        store = new EventStoreEngine(storage, 1000, EventStoreEngine.DEFAULT_MAX_PAYLOAD_BYTES);
        dispatcher = start(new Settings(3, 20, 200));
    }

    private Dispatcher start(Settings settings) throws Exception {
        Dispatcher d = new Dispatcher(
                store, new QueueStore(storage, crypto), new PluginsFile(dir.resolve("plugins.json")), settings, true);
        d.addFactory(recording);
        return d;
    }

    @AfterEach
    void close() {
        dispatcher.close();
        store.close();
    }

    private void append(String id, int n) {
        store.append(new AppendRequest(
                "patient", id, "seen", "{\"n\":" + n + "}", null, null, null, new IssuedBy("ops", "jane")));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private List<Envelope> got(String name) {
        return received.getOrDefault(name, List.of());
    }

    @Test
    void everyEventAfterConfigurationArrivesOnceInLogOrderAsTheSeedsEventRecord() throws Exception {
        append("before", 1); // committed before the instance existed: not sent
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("the instance loaded", () -> dispatcher.list().get(0).position() == 2);
        for (int i = 0; i < 200; i++) {
            append("p-" + (i % 7), i);
        }
        await("200 events", () -> got("audit").size() == 200);
        for (int i = 0; i < 200; i++) {
            assertEquals(i + 2, got("audit").get(i).position(), "log order, no gap");
        }
        JsonNode first = json.readTree(got("audit").get(0).json());
        assertEquals(
                List.of(
                        "aggregate_type",
                        "aggregate_id",
                        "event_type",
                        "payload",
                        "metadata",
                        "version",
                        "hash",
                        "merkle_root"),
                fieldNames(first));
        assertEquals(
                "ops", first.path("metadata").path("issued_by").path("group").asText());
        assertEquals(0, first.path("payload").path("n").asInt());
        PluginAdmin.PluginInfo info = dispatcher.list().get(0);
        assertEquals("running", info.status());
        assertEquals(0, info.lag());
    }

    @Test
    void aRestartContinuesFromTheDurableCursorWithoutSkippingAnything() throws Exception {
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 1);
        for (int i = 0; i < 50; i++) {
            append("p-" + (i % 3), i);
        }
        await("50 events", () -> got("audit").size() == 50);
        dispatcher.close();
        for (int i = 50; i < 80; i++) {
            append("p-" + (i % 3), i); // committed while no dispatcher runs
        }
        dispatcher = start(new Settings(3, 20, 200));
        await("80 events", () -> got("audit").size() == 80);
        for (int i = 0; i < 80; i++) {
            assertEquals(i + 1, got("audit").get(i).position());
        }
    }

    @Test
    void aFailedEventIsRetriedWithLaterEventsOfItsAggregateBehindItAndOthersGoOn() throws Exception {
        dispatcher.close();
        dispatcher = start(new Settings(10, 100, 1_000)); // far from dead while the test watches
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 1);
        refuse = e -> e.aggregateId().equals("slow");
        append("slow", 1);
        append("slow", 2);
        append("fast", 1);
        // the instance pauses intake after a failure (one first-retry delay), then goes on with other aggregates
        await("fast delivered", () -> got("audit").stream()
                .anyMatch(e -> e.aggregateId().equals("fast")));
        assertFalse(got("audit").stream().anyMatch(e -> e.aggregateId().equals("slow")));
        await("queued", () -> dispatcher.queue().size() == 2);
        refuse = e -> false;
        await("slow delivered", () -> got("audit").size() == 3);
        List<Long> slowVersions = got("audit").stream()
                .filter(e -> e.aggregateId().equals("slow"))
                .map(Envelope::version)
                .toList();
        assertEquals(List.of(1L, 2L), slowVersions, "order per aggregate kept");
        await("queue empty", () -> dispatcher.queue().isEmpty());
    }

    @Test
    void anUnreachableReceiverCostsNoAttemptsNoJobsAndGetsEverythingWhenItAnswers() throws Exception {
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 1);
        away = true;
        for (int i = 0; i < 20; i++) {
            append("a-" + (i % 3), i);
        }
        await("seen as failing", () -> dispatcher.list().get(0).status().equals("failing"));
        Thread.sleep(300); // a few probes' worth: still nothing queued, nothing counted
        assertTrue(dispatcher.queue().isEmpty(), "no job is made while the receiver is away");
        assertEquals(20, dispatcher.list().get(0).lag(), "the events wait in the log");
        assertEquals("connection refused", dispatcher.list().get(0).lastError());
        away = false;
        await("all twenty", () -> got("audit").size() == 20);
        for (int i = 0; i < 20; i++) {
            assertEquals(i + 1, got("audit").get(i).position(), "in log order");
        }
        assertTrue(dispatcher.queue().isEmpty());
        assertEquals("running", dispatcher.list().get(0).status());
    }

    @Test
    void anEventGoesDeadAfterMaxAttemptsAndRetryBringsItBack() throws Exception {
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 1);
        refuse = e -> true;
        append("p-1", 1);
        await("dead", () -> dispatcher.queue().stream().anyMatch(q -> q.state().equals("dead")));
        PluginAdmin.QueueEntry dead = dispatcher.queue().get(0);
        assertEquals(3, dead.attempts(), "plugin_max_attempts attempts");
        assertEquals("refused p-1", dead.lastError());
        assertEquals(1, dispatcher.list().get(0).dead());
        // the queue is sealed at rest: the event id is not readable in storage
        assertFalse(storageContains(dead.eventId()), "queued jobs are encrypted");
        refuse = e -> false;
        assertEquals(0, dispatcher.retry("00000000-0000-0000-0000-000000000000"));
        assertEquals(1, dispatcher.retry(dead.eventId()));
        await("delivered after retry", () -> got("audit").size() == 1);
        await("queue empty", () -> dispatcher.queue().isEmpty());
    }

    @Test
    void clearDropsDeadEventsOnly() throws Exception {
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 1);
        refuse = e -> true;
        append("p-1", 1);
        await("dead", () -> dispatcher.list().get(0).dead() == 1);
        assertEquals(1, dispatcher.clearDead());
        assertTrue(dispatcher.queue().isEmpty());
        assertEquals(0, dispatcher.list().get(0).dead());
    }

    @Test
    void anInstanceWhoseTypeIsMissingWaitsAndDeliversWhenTheTypeReturns() throws Exception {
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 1);
        dispatcher.removeFactory(recording);
        assertEquals("waiting", dispatcher.list().get(0).status());
        for (int i = 0; i < 10; i++) {
            append("p-1", i);
        }
        await("lag", () -> dispatcher.list().get(0).lag() == 10);
        assertTrue(got("audit").isEmpty());
        dispatcher.addFactory(recording);
        await("delivered", () -> got("audit").size() == 10);
    }

    @Test
    void disabledInstancesKeepTheirCursorAndRemoveNeedsDisableFirst() throws Exception {
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 1);
        dispatcher.disable("audit");
        append("p-1", 1);
        assertEquals("disabled", dispatcher.list().get(0).status());
        PluginException enabled = assertThrows(PluginException.class, () -> {
            dispatcher.enable("audit");
            dispatcher.remove("audit");
        });
        assertEquals(PluginException.Reason.CONFLICT, enabled.reason());
        await("delivered once enabled", () -> got("audit").size() == 1);
        dispatcher.disable("audit");
        dispatcher.remove("audit");
        assertTrue(dispatcher.list().isEmpty());
        assertEquals(
                PluginException.Reason.NOT_FOUND,
                assertThrows(PluginException.class, () -> dispatcher.enable("audit"))
                        .reason());
    }

    @Test
    void badRequestsAreRefusedWithTheirReason() {
        assertEquals(
                PluginException.Reason.INVALID_ARGUMENT,
                assertThrows(PluginException.class, () -> dispatcher.configure("nope", "a", Map.of(), false))
                        .reason());
        assertEquals(
                PluginException.Reason.INVALID_ARGUMENT,
                assertThrows(PluginException.class, () -> dispatcher.configure("rec", "bad name", Map.of(), false))
                        .reason());
        PluginException unknown = assertThrows(
                PluginException.class, () -> dispatcher.configure("rec", "a", Map.of("colour", List.of("red")), false));
        assertTrue(unknown.getMessage().contains("--colour"), unknown.getMessage());
        assertEquals(
                PluginException.Reason.NOT_FOUND,
                assertThrows(PluginException.class, () -> dispatcher.replay("none", "patient", null))
                        .reason());
    }

    @Test
    void oneOptionChangesAndTheSecretsStayWithoutAnyoneSeeingThem() throws Exception {
        dispatcher.configure("rec", "audit", Map.of("secret", List.of("Authorization=Bearer abc")), true);
        dispatcher.setOption("audit", "map", List.of("a|b|text", "a|c|integer"));
        assertTrue(Files.readString(dir.resolve("plugins.json")).contains("Bearer abc"), "the secret kept");
        assertEquals(
                List.of("a|b|text", "a|c|integer"),
                dispatcher.list().get(0).options().get("map"));
        assertFalse(dispatcher.list().get(0).enabled(), "still disabled");
        dispatcher.setOption("audit", "map", List.of());
        assertEquals(null, dispatcher.list().get(0).options().get("map"));
        assertEquals(
                PluginException.Reason.INVALID_ARGUMENT,
                assertThrows(PluginException.class, () -> dispatcher.setOption("audit", "nope", List.of("x")))
                        .reason());
        assertEquals(
                PluginException.Reason.NOT_FOUND,
                assertThrows(PluginException.class, () -> dispatcher.setOption("none", "map", List.of()))
                        .reason());
    }

    @Test
    void configurationIsOwnerOnlyAndSecretsAreMasked() throws Exception {
        dispatcher.configure("rec", "audit", Map.of("secret", List.of("Authorization=Bearer abc")), true);
        Path file = dir.resolve("plugins.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(
                List.of("Authorization=***"), dispatcher.list().get(0).options().get("secret"));
        assertTrue(Files.readString(file).contains("Bearer abc"), "kept for delivery");
    }

    @Test
    void replaySendsAnAggregatesStoredEventsAgain() throws Exception {
        for (int i = 0; i < 5; i++) {
            append("p-1", i);
            append("p-2", i);
        }
        dispatcher.configure("rec", "audit", Map.of(), false);
        await("loaded", () -> dispatcher.list().get(0).position() == 11);
        assertEquals(5, dispatcher.replay("audit", "patient", "p-1"));
        await("five", () -> got("audit").size() == 5);
        assertEquals(
                List.of(1L, 2L, 3L, 4L, 5L),
                got("audit").stream().map(Envelope::version).toList());
        assertEquals(10, dispatcher.replay("audit", "patient", null));
        await("fifteen", () -> got("audit").size() == 15);
    }

    private boolean storageContains(String text) throws Exception {
        byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (var kv : storage.scan(new byte[] {'J'}, new byte[] {'K'}, 1000, false)) {
            if (indexOf(kv.value(), needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
