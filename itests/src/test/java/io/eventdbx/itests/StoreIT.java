package io.eventdbx.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.control.protocol.AdminCredential;
import io.eventdbx.control.protocol.ControlClient;
import io.eventdbx.store.api.WriteBatch;
import io.eventdbx.store.rocksdb.internal.RocksDbStorageEngine;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event store end to end: the launcher, the shipped bundles, RocksDB on disk, real processes. */
class StoreIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void appendReadVerifyEmbeddedAndThroughTheServer() throws Exception {
        Dbx dbx = new Dbx(temp);
        Dbx.Result embedded = dbx.run(
                "aggregate",
                "apply",
                "patient",
                "p-001",
                "patient-added",
                "--field",
                "name=Jane Doe",
                "--field",
                "status=active",
                "--json");
        assertEquals(0, embedded.exit(), embedded.toString());
        JsonNode first = JSON.readTree(embedded.out());
        assertEquals(1, first.path("version").asInt());
        assertEquals("Jane Doe", first.path("payload").path("name").asText());
        assertEquals(
                "admin", first.path("metadata").path("issued_by").path("group").asText());

        assertEquals(0, dbx.run("start").exit());
        try {
            Dbx.Result second = dbx.run(
                    "aggregate",
                    "apply",
                    "--aggregate",
                    "patient",
                    "--aggregate-id",
                    "p-001",
                    "--event",
                    "patient-updated",
                    "--payload",
                    "{\"status\":\"inactive\",\"meta\":{\"source\":\"api\"}}",
                    "--expected-version",
                    "1",
                    "--note",
                    "called",
                    "--json");
            assertEquals(0, second.exit(), second.toString());
            assertEquals(
                    2,
                    JSON.readTree(second.out()).path("position").asInt(),
                    "the global log continues across processes");

            Dbx.Result conflict = dbx.run("aggregate", "apply", "patient", "p-001", "x", "--expected-version", "1");
            assertEquals(1, conflict.exit(), conflict.toString());
            assertTrue(conflict.err().contains("it is at version 2"), conflict.toString());
            Dbx.Result traversal = dbx.run("aggregate", "apply", "../etc", "p", "x");
            assertEquals(2, traversal.exit(), traversal.toString());

            JsonNode state = JSON.readTree(
                    dbx.run("aggregate", "get", "patient", "p-001", "--json").out());
            assertEquals("inactive", state.path("state").path("status").asText());
            assertEquals("api", state.path("state").path("meta").path("source").asText(), "objects stay structured");
            JsonNode atOne = JSON.readTree(dbx.run("aggregate", "get", "patient", "p-001", "--version", "1", "--json")
                    .out());
            assertEquals("active", atOne.path("state").path("status").asText());

            JsonNode proof = JSON.readTree(dbx.run("aggregate", "proof", "patient", "p-001", "--version", "1", "--json")
                    .out());
            assertEquals(2, proof.path("tree_size").asInt());
            assertEquals(1, proof.path("path").size());
            assertEquals(
                    state.path("merkle_root").asText(),
                    proof.path("merkle_root").asText());
            JsonNode consistency = JSON.readTree(
                    dbx.run("aggregate", "consistency", "patient", "p-001", "--from", "1", "--to", "2", "--json")
                            .out());
            assertEquals(1, consistency.path("proof").size());
            assertEquals(
                    first.path("merkle_root").asText(),
                    consistency.path("from_root").asText());

            Dbx.Result snapshot = dbx.run("aggregate", "snapshot", "patient", "p-001", "--comment", "audit", "--json");
            assertEquals(0, snapshot.exit(), snapshot.toString());
            assertEquals(2, JSON.readTree(snapshot.out()).path("version").asInt());
            assertEquals("audit", JSON.readTree(snapshot.out()).path("comment").asText());

            JsonNode verify = JSON.readTree(
                    dbx.run("aggregate", "verify", "patient", "p-001", "--json").out());
            assertTrue(verify.path("ok").asBoolean());
            assertEquals(
                    state.path("merkle_root").asText(),
                    verify.path("merkle_root").asText());

            JsonNode log = JSON.readTree(dbx.run("events", "--json").out());
            assertEquals(2, log.size());

            // The core bundle can be stopped and started while the server runs; the data stays.
            assertEquals(0, dbx.run("bundle", "stop", "io.eventdbx.core").exit());
            Dbx.Result stopped = dbx.run("aggregate", "get", "patient", "p-001");
            assertEquals(1, stopped.exit(), stopped.toString());
            assertTrue(stopped.err().contains("which is not active"), stopped.toString());
            assertEquals(0, dbx.run("bundle", "start", "io.eventdbx.core").exit());
            assertEquals(
                    2,
                    JSON.readTree(dbx.run("aggregate", "get", "patient", "p-001", "--json")
                                    .out())
                            .path("version")
                            .asInt());
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }

    @Test
    void stagedEventsCommitTogether() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(
                0,
                dbx.run("aggregate", "apply", "cart", "c-1", "item-added", "--field", "sku=a", "--stage")
                        .exit());
        assertEquals(
                0,
                dbx.run("aggregate", "apply", "cart", "c-2", "item-added", "--field", "sku=b", "--stage")
                        .exit());
        Dbx.Result refused = dbx.run("aggregate", "apply", "cart", "c-3", "item-added", "--payload", "[1]", "--stage");
        assertEquals(2, refused.exit(), "staging validates: " + refused);
        JsonNode staged =
                JSON.readTree(dbx.run("aggregate", "list", "--stage", "--json").out());
        assertEquals(2, staged.size());
        assertEquals(1, dbx.run("aggregate", "get", "cart", "c-1").exit(), "nothing is appended before commit");
        JsonNode committed =
                JSON.readTree(dbx.run("aggregate", "commit", "--json").out());
        assertEquals(2, committed.size());
        assertEquals("b", committed.get(1).path("payload").path("sku").asText());
        assertEquals(
                0,
                JSON.readTree(dbx.run("aggregate", "list", "--stage", "--json").out())
                        .size());
        assertTrue(dbx.run("aggregate", "commit").out().contains("nothing is staged"));

        assertEquals(0, dbx.run("config", "--max-payload-bytes", "40").exit());
        Dbx.Result tooBig = dbx.run("aggregate", "apply", "cart", "c-1", "note", "--field", "text=" + "x".repeat(50));
        assertEquals(2, tooBig.exit(), tooBig.toString());
        assertTrue(tooBig.err().contains("payload is larger than 40 bytes"), tooBig.toString());
    }

    @Test
    void verifyNamesAVersionDamagedOnDisk() throws Exception {
        Dbx dbx = new Dbx(temp);
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    0,
                    dbx.run("aggregate", "apply", "ledger", "acc-1", "posted", "--field", "amount=" + (i + 10))
                            .exit());
        }
        assertEquals(0, dbx.run("aggregate", "verify", "ledger", "acc-1").exit());
        // Behind the engine's back, in RocksDB (key layout: docs/architecture.md): first change who wrote version 2
        // (attribution is readable metadata, covered by the hash), then one bit of version 3's sealed payload.
        byte[] original;
        try (RocksDbStorageEngine raw = new RocksDbStorageEngine(dbx.dataDir.resolve("store"))) {
            original = raw.get(eventKey(2));
            byte[] stored = original.clone();
            int at = indexOf(stored, "admin".getBytes(StandardCharsets.UTF_8));
            assertTrue(at >= 0, "version 2 records its writer's group");
            stored[at + 4] = 'x'; // "admin" becomes "admix": one byte, same length
            raw.write(new WriteBatch().put(eventKey(2), stored), true);
        }
        Dbx.Result verify = dbx.run("aggregate", "verify", "ledger", "acc-1", "--json");
        assertEquals(1, verify.exit(), verify.toString());
        JsonNode report = JSON.readTree(verify.out());
        assertEquals(false, report.path("ok").asBoolean());
        assertEquals(2, report.path("first_bad_version").asInt(), verify.toString());
        assertTrue(verify.err().contains("failed verification at version 2"), verify.toString());

        try (RocksDbStorageEngine raw = new RocksDbStorageEngine(dbx.dataDir.resolve("store"))) {
            byte[] stored = raw.get(eventKey(3));
            // format byte, event type "posted" (4 + 6), length of the sealed payload (4), its header (9) and nonce
            // (12): the byte after that is ciphertext
            stored[1 + 4 + 6 + 4 + 9 + 12] ^= 1;
            raw.write(new WriteBatch().put(eventKey(2), original).put(eventKey(3), stored), true);
        }
        Dbx.Result tampered = dbx.run("aggregate", "verify", "ledger", "acc-1", "--json");
        assertEquals(1, tampered.exit(), tampered.toString());
        assertEquals(3, JSON.readTree(tampered.out()).path("first_bad_version").asInt(), tampered.toString());
        assertTrue(tampered.out().contains("does not decrypt"), tampered.toString());
        Dbx.Result read = dbx.run("aggregate", "replay", "ledger", "acc-1");
        assertEquals(1, read.exit(), read.toString());
        assertTrue(read.err().contains("does not decrypt"), "an integrity error, not garbage: " + read);
    }

    private static byte[] eventKey(long version) {
        return ByteBuffer.allocate(1 + 6 + 1 + 5 + 1 + 8)
                .put((byte) 'E')
                .put("ledger".getBytes(StandardCharsets.UTF_8))
                .put((byte) 0)
                .put("acc-1".getBytes(StandardCharsets.UTF_8))
                .put((byte) 0)
                .putLong(version)
                .array();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void killDashNineDuringConcurrentAppendsLosesNoAcknowledgedEvent() throws Exception {
        Dbx dbx = new Dbx(temp);
        assertEquals(0, dbx.run("start").exit());
        JsonNode pidFile = JSON.readTree(Files.readString(dbx.dataDir.resolve("eventdbx.pid")));
        String[] endpoint = pidFile.path("control").asText().split(":");
        InetSocketAddress address = new InetSocketAddress(endpoint[0], Integer.parseInt(endpoint[1]));
        AdminCredential admin = AdminCredential.load(dbx.dataDir.resolve("admin.key"));

        int writers = 8;
        Map<String, Map<Long, String>> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean crashed = new AtomicBoolean();
        CountDownLatch enough = new CountDownLatch(writers * 20);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            String id = "acct-" + t;
            acknowledged.put(id, new ConcurrentHashMap<>());
            Thread thread = new Thread(() -> {
                for (int i = 0; !crashed.get(); i++) {
                    try (ControlClient client = ControlClient.connect(address, admin, 5_000)) {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        int exit = client.execute(
                                List.of("aggregate", "apply", "crash", id, "posted", "--field", "n=" + i, "--json"),
                                out,
                                new ByteArrayOutputStream());
                        if (exit == 0) {
                            JsonNode record = JSON.readTree(out.toByteArray());
                            acknowledged
                                    .get(id)
                                    .put(
                                            record.path("version").asLong(),
                                            record.path("hash").asText());
                            enough.countDown();
                        }
                    } catch (Exception connectionLostInTheCrash) {
                        return;
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        assertTrue(enough.await(120, java.util.concurrent.TimeUnit.SECONDS), "the writers made progress");
        ProcessHandle server = ProcessHandle.of(pidFile.path("pid").asLong()).orElseThrow();
        server.destroyForcibly(); // SIGKILL, while the writers are still appending
        crashed.set(true);
        server.onExit().get();
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        assertEquals(0, dbx.run("start").exit(), "the server starts again after a crash");
        try {
            int total = 0;
            for (Map.Entry<String, Map<Long, String>> entry : acknowledged.entrySet()) {
                String id = entry.getKey();
                JsonNode events =
                        JSON.readTree(dbx.run("aggregate", "replay", "crash", id, "--take", "100000", "--json")
                                .out());
                for (int i = 0; i < events.size(); i++) {
                    assertEquals(i + 1, events.get(i).path("version").asLong(), "versions are contiguous from 1");
                }
                for (Map.Entry<Long, String> ack : entry.getValue().entrySet()) {
                    assertTrue(ack.getKey() <= events.size(), id + " lost acknowledged version " + ack.getKey());
                    assertEquals(
                            ack.getValue(),
                            events.get((int) (ack.getKey() - 1)).path("hash").asText(),
                            "the acknowledged event is the stored one");
                    total++;
                }
                Dbx.Result verify = dbx.run("aggregate", "verify", "crash", id);
                assertEquals(0, verify.exit(), verify.toString());
            }
            assertTrue(total >= writers * 20, "checked " + total + " acknowledged events");
        } finally {
            assertEquals(0, dbx.run("stop").exit());
        }
    }
}
