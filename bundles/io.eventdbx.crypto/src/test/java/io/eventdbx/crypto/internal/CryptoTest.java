package io.eventdbx.crypto.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.config.FilePermissions;
import io.eventdbx.crypto.api.TamperedDataException;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CryptoTest {

    @TempDir
    Path dir;

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();

    private CryptoComponent open() throws Exception {
        return new CryptoComponent(storage, dir);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sealedDataOpensOnlyWithItsScopeAndAssociatedData() throws Exception {
        CryptoComponent crypto = open();
        byte[] sealed = crypto.seal("aggregate:patient:p-1", bytes("event|3"), bytes("{\"name\":\"Jane\"}"));
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("Jane"));
        assertArrayEquals(bytes("{\"name\":\"Jane\"}"), crypto.open("aggregate:patient:p-1", bytes("event|3"), sealed));
        assertThrows(TamperedDataException.class, () -> crypto.open("aggregate:patient:p-1", bytes("event|4"), sealed));
        assertThrows(TamperedDataException.class, () -> crypto.open("aggregate:patient:p-2", bytes("event|3"), sealed));
        for (int i = 0; i < sealed.length; i++) {
            byte[] flipped = sealed.clone();
            flipped[i] ^= 1;
            assertThrows(
                    TamperedDataException.class,
                    () -> crypto.open("aggregate:patient:p-1", bytes("event|3"), flipped),
                    "flipped byte " + i);
        }
    }

    @Test
    void eachSealUsesAFreshNonceAndEachAggregateItsOwnKey() throws Exception {
        CryptoComponent crypto = open();
        byte[] a = crypto.seal("aggregate:t:a", bytes(""), bytes("same"));
        byte[] b = crypto.seal("aggregate:t:a", bytes(""), bytes("same"));
        byte[] c = crypto.seal("aggregate:t:c", bytes(""), bytes("same"));
        assertNotEquals(new String(a, StandardCharsets.ISO_8859_1), new String(b, StandardCharsets.ISO_8859_1));
        // bytes 1..8 name the key: one per aggregate
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 1, 9), java.util.Arrays.copyOfRange(b, 1, 9));
        assertFalse(
                java.util.Arrays.equals(java.util.Arrays.copyOfRange(a, 1, 9), java.util.Arrays.copyOfRange(c, 1, 9)));
    }

    @Test
    void scopesEvictedFromAFullKeyCacheStillOpenWithTheirStoredKeys() throws Exception {
        AesGcm gcm = new AesGcm();
        EnvelopeProtector small = new EnvelopeProtector(storage, KeyRing.open(dir.resolve("keys"), gcm), gcm, 4);
        byte[][] sealed = new byte[50][];
        for (int i = 0; i < sealed.length; i++) {
            sealed[i] = small.seal("aggregate:t:" + i, bytes("e"), bytes("value " + i));
        }
        for (int i = 0; i < sealed.length; i++) {
            // most were evicted: opening reloads the scope's own key from the store, not a new one
            assertArrayEquals(bytes("value " + i), small.open("aggregate:t:" + i, bytes("e"), sealed[i]));
            byte[] again = small.seal("aggregate:t:" + i, bytes("e"), bytes("x"));
            assertArrayEquals(java.util.Arrays.copyOfRange(sealed[i], 1, 9), java.util.Arrays.copyOfRange(again, 1, 9));
        }
    }

    @Test
    void aPristineDirectoryGetsOwnerOnlyGeneratedKeysThatSurviveARestart() throws Exception {
        CryptoComponent first = open();
        byte[] sealed = first.seal("aggregate:t:a", bytes("x"), bytes("secret payload"));
        Path keys = dir.resolve("keys");
        assertFalse(FilePermissions.isExposed(keys.resolve("master.key")));
        assertFalse(FilePermissions.isExposed(keys.resolve("keyring.json")));
        assertFalse(Files.readString(keys.resolve("keyring.json"))
                .contains(Files.readString(keys.resolve("master.key")).strip()));
        assertEquals(false, first.describe().get("explicit"));
        CryptoComponent again = open();
        assertArrayEquals(bytes("secret payload"), again.open("aggregate:t:a", bytes("x"), sealed));
    }

    @Test
    void theFirstExplicitConfigurationMustSetBothKeys() throws Exception {
        CryptoComponent crypto = open();
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> crypto.configure("a-long-master-secret-1", null));
        assertTrue(e.getMessage().contains("both"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> crypto.configure("short", "a-long-data-key-secret"));
        crypto.configure("a-long-master-secret-1", "a-long-data-key-secret");
        crypto.configure("a-long-master-secret-2", null); // later: one at a time
    }

    @Test
    void rotatingBothKeysKeepsEverythingReadableAndChangesTheFiles() throws Exception {
        CryptoComponent crypto = open();
        byte[] before = crypto.seal("aggregate:t:a", bytes("v1"), bytes("written before"));
        String masterBefore = Files.readString(dir.resolve("keys/master.key"));
        Map<String, Object> result = crypto.configure("a-long-master-secret-1", "a-long-data-key-secret-1");
        assertEquals("rotated", result.get("dek"));
        assertEquals(1, result.get("scope_keys_resealed"));
        assertFalse(result.toString().contains("a-long"), "no secret in the output: " + result);
        assertNotEquals(masterBefore, Files.readString(dir.resolve("keys/master.key")));
        byte[] after = crypto.seal("aggregate:t:b", bytes("v1"), bytes("written after"));
        crypto.configure("a-long-master-secret-2", "a-long-data-key-secret-2");
        // a fresh process with only the files
        CryptoComponent restarted = open();
        assertArrayEquals(bytes("written before"), restarted.open("aggregate:t:a", bytes("v1"), before));
        assertArrayEquals(bytes("written after"), restarted.open("aggregate:t:b", bytes("v1"), after));
        assertEquals(3, restarted.describe().get("dek_generations"));
    }

    @Test
    void aWrongMasterKeyIsRefusedClearly() throws Exception {
        open();
        Files.writeString(dir.resolve("keys/master.key"), "someone-elses-master-secret\n");
        IllegalStateException e = assertThrows(IllegalStateException.class, this::open);
        assertTrue(e.getMessage().contains("does not open the key ring"), e.getMessage());
        assertFalse(e.getMessage().contains("someone-elses"), e.getMessage());
    }
}
