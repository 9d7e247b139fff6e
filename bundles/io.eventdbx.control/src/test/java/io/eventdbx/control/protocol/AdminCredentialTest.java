package io.eventdbx.control.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminCredentialTest {

    @TempDir
    Path dir;

    @Test
    void createdOwnerOnlyAndStable() throws Exception {
        Path file = dir.resolve("admin.key");
        AdminCredential first = AdminCredential.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        AdminCredential again = AdminCredential.loadOrCreate(file);
        byte[] nonce = new byte[32];
        assertTrue(again.verify(nonce, first.proof(nonce)));
        assertFalse(first.toString().contains(Files.readString(file).trim()));
    }

    @Test
    void proofsDependOnTheNonceAndTheSecret() throws Exception {
        AdminCredential a = AdminCredential.loadOrCreate(dir.resolve("a.key"));
        AdminCredential b = AdminCredential.loadOrCreate(dir.resolve("b.key"));
        byte[] nonce = new byte[32];
        byte[] other = new byte[32];
        other[0] = 1;
        assertFalse(a.verify(other, a.proof(nonce)), "a proof for one nonce must not pass for another");
        assertFalse(a.verify(nonce, b.proof(nonce)), "another data directory's credential must not pass");
        assertFalse(a.verify(nonce, new byte[0]));
    }

    @Test
    void aCredentialOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("admin.key");
        AdminCredential.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> AdminCredential.load(file));
        assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void garbageIsNotACredential() throws Exception {
        Path file = dir.resolve("admin.key");
        Files.writeString(file, "not hex");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThrows(IOException.class, () -> AdminCredential.load(file));
    }

    @Test
    void proofMatchesTheDocumentedVector() throws Exception {
        String doc = Files.readString(Path.of("../../docs/control-protocol.md"));
        java.util.regex.Matcher key =
                java.util.regex.Pattern.compile("(?m)^key   = ([0-9a-f]{64})$").matcher(doc);
        java.util.regex.Matcher proof =
                java.util.regex.Pattern.compile("(?m)^proof = ([0-9a-f]{64})$").matcher(doc);
        assertTrue(key.find() && proof.find(), "docs/control-protocol.md has the test vector");
        Path file = dir.resolve("vector.key");
        Files.writeString(file, key.group(1) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        byte[] expected = java.util.HexFormat.of().parseHex(proof.group(1));
        assertTrue(AdminCredential.load(file).verify(new byte[32], expected));
    }
}
