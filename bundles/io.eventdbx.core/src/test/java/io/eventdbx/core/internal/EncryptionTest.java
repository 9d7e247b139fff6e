package io.eventdbx.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.api.AppendRequest;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.api.VerifyResult;
import io.eventdbx.crypto.internal.CryptoComponent;
import io.eventdbx.store.api.InMemoryStorageEngine;
import io.eventdbx.store.api.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with real encryption at rest: nothing readable in the store, tampering detected. */
class EncryptionTest {

    private static final String MARKER = "Zq7-secret-marker";
    private static final IssuedBy WRITER = new IssuedBy("clinic", "alice");

    @TempDir
    Path dir;

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();
    private EventStoreEngine store;

    @BeforeEach
    void open() throws Exception {
        store = new EventStoreEngine(storage, new CryptoComponent(storage, dir), 1000, 262_144, 2);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void append(String id, String json) {
        store.append(new AppendRequest("patient", id, "admitted", json, null, null, null, WRITER));
    }

    @Test
    void payloadsStatesSnapshotsAndStagedEventsAreSealed() throws Exception {
        append("p-1", "{\"name\":\"" + MARKER + "\"}");
        append("p-1", "{\"ward\":\"" + MARKER + "\"}"); // the second event also takes an automatic snapshot
        store.stage(new AppendRequest(
                "patient", "p-2", "admitted", "{\"n\":\"" + MARKER + "\"}", null, null, null, WRITER));
        int values = 0;
        for (KeyValue kv : storage.scan(new byte[] {0}, new byte[] {(byte) 0xff}, Integer.MAX_VALUE, false)) {
            values++;
            String raw = new String(kv.value(), StandardCharsets.ISO_8859_1);
            assertFalse(
                    raw.contains(MARKER),
                    "readable in the value of " + new String(kv.key(), StandardCharsets.ISO_8859_1));
        }
        assertTrue(values > 6, "events, heads, log, snapshot, staged and keys were written: " + values);
        // and everything reads back
        assertTrue(store.get("patient", "p-1").orElseThrow().stateJson().contains(MARKER));
        assertTrue(store.events("patient", "p-1", 0, 10).get(0).payloadJson().contains(MARKER));
        assertTrue(store.staged().get(0).request().payloadJson().contains(MARKER));
        assertTrue(store.getAt("patient", "p-1", 2).stateJson().contains(MARKER));
        assertTrue(store.verify("patient", "p-1").ok());
    }

    @Test
    void aTamperedCiphertextIsAnIntegrityErrorNotGarbage() throws Exception {
        append("p-1", "{\"name\":\"Jane\"}");
        append("p-1", "{\"name\":\"Joan\"}");
        byte[] key = Keys.event("patient", "p-1", 2);
        byte[] value = storage.get(key).clone();
        // format byte, event type (4 + 8), sealed payload length (4), its header (9) and nonce (12): ciphertext
        value[1 + 4 + "admitted".length() + 4 + 9 + 12] ^= 0x01;
        storage.tamper(key, value);
        EventStoreException e = assertThrows(EventStoreException.class, () -> store.events("patient", "p-1", 0, 10));
        assertEquals(EventStoreException.Code.INTEGRITY, e.code());
        assertTrue(e.getMessage().contains("does not decrypt"), e.getMessage());
        VerifyResult result = store.verify("patient", "p-1");
        assertFalse(result.ok());
        assertEquals(2L, result.firstBadVersion());
    }

    @Test
    void aCiphertextMovedToAnotherAggregateDoesNotOpen() throws Exception {
        append("p-1", "{\"name\":\"Jane\"}");
        append("p-2", "{\"name\":\"Jim\"}");
        storage.tamper(Keys.event("patient", "p-2", 1), storage.get(Keys.event("patient", "p-1", 1)));
        EventStoreException e = assertThrows(EventStoreException.class, () -> store.events("patient", "p-2", 0, 10));
        assertEquals(EventStoreException.Code.INTEGRITY, e.code());
    }
}
