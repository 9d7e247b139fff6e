package io.eventdbx.crypto.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventdbx.config.FilePermissions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The top of the key hierarchy, kept in the owner-only {@code keys/} folder of the data directory.
 *
 * <ul>
 *   <li>{@code master.key}: the master secret. The key-encryption key (KEK) is derived from it with HKDF; the
 *       secret and the KEK never leave this class.
 *   <li>{@code keyring.json}: every data-encryption key (DEK) generation, each sealed with the KEK (AES-256-GCM,
 *       bound to its id), and which one is current. Old generations stay so that keys they protect still open.
 * </ul>
 *
 * <p>A pristine data directory gets a random master secret and a random DEK ({@code explicit=false}); the first
 * explicit configuration must then set both. Rotating the master secret re-seals every DEK; the files are
 * replaced atomically, keyring first, and a leftover {@code master.key.next} from an interrupted rotation is
 * taken if it is the one the keyring was sealed with.
 */
final class KeyRing {

    static final int MIN_SECRET_LENGTH = 16;
    private static final String MASTER = "master.key";
    private static final String MASTER_NEXT = "master.key.next";
    private static final String RING = "keyring.json";

    private final Path dir;
    private final AesGcm gcm;
    private final ObjectMapper json = new ObjectMapper();
    private volatile State state;

    private record State(
            byte[] kek,
            String kekId,
            boolean explicit,
            boolean generated,
            String currentDek,
            Map<String, byte[]> deks) {}

    private KeyRing(Path dir, AesGcm gcm) {
        this.dir = dir;
        this.gcm = gcm;
    }

    /**
     * Opens the key ring in a folder, generating random keys if it has none.
     *
     * @throws IOException if the files cannot be read or written
     * @throws IllegalStateException if the master secret does not open the key ring
     */
    static KeyRing open(Path dir, AesGcm gcm) throws IOException {
        KeyRing ring = new KeyRing(dir, gcm);
        ring.load();
        return ring;
    }

    private void load() throws IOException {
        FilePermissions.createOwnerOnlyDirectory(dir);
        Path ring = dir.resolve(RING);
        if (!Files.exists(ring)) {
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(gcm.random(32));
            byte[] dek = gcm.random(AesGcm.KEY_BYTES);
            Map<String, byte[]> deks = new LinkedHashMap<>();
            deks.put(Hkdf.fingerprint(dek), dek);
            byte[] kek = kek(secret);
            writeMaster(dir.resolve(MASTER), secret);
            State generated = new State(kek, Hkdf.fingerprint(kek), false, true, Hkdf.fingerprint(dek), deks);
            writeRing(generated);
            state = generated;
            return;
        }
        ObjectNode node = (ObjectNode) json.readTree(ring.toFile());
        String kekId = node.path("kek_id").asText();
        String secret = readMaster(dir.resolve(MASTER));
        Path next = dir.resolve(MASTER_NEXT);
        if (secret == null || !Hkdf.fingerprint(kek(secret)).equals(kekId)) {
            // An interrupted rotation: the keyring was re-sealed with the next master secret.
            String candidate = readMaster(next);
            if (candidate != null && Hkdf.fingerprint(kek(candidate)).equals(kekId)) {
                Files.move(next, dir.resolve(MASTER), StandardCopyOption.ATOMIC_MOVE);
                secret = candidate;
            } else {
                throw new IllegalStateException("the master key in " + dir.resolve(MASTER)
                        + " does not open the key ring " + ring + " (key id " + kekId + ")");
            }
        }
        Files.deleteIfExists(next);
        byte[] kek = kek(secret);
        Map<String, byte[]> deks = new LinkedHashMap<>();
        for (var entry : (ArrayNode) node.path("deks")) {
            String id = entry.path("id").asText();
            byte[] dek = gcm.open(
                    kek,
                    aad(id),
                    Base64.getDecoder().decode(entry.path("sealed").asText()),
                    0);
            if (dek == null) {
                throw new IllegalStateException("data-encryption key " + id + " in " + ring + " does not open");
            }
            deks.put(id, dek);
        }
        state = new State(
                kek,
                kekId,
                node.path("explicit").asBoolean(),
                false,
                node.path("current_dek").asText(),
                deks);
    }

    private static byte[] kek(String secret) {
        return Hkdf.derive(secret.getBytes(StandardCharsets.UTF_8), "eventdbx/kek/v1", "key-encryption key");
    }

    private static byte[] aad(String dekId) {
        return ("eventdbx/dek/v1\u0000" + dekId).getBytes(StandardCharsets.UTF_8);
    }

    private static String readMaster(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        return Files.readString(file, StandardCharsets.UTF_8).strip();
    }

    private static void writeMaster(Path file, String secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        FilePermissions.createOwnerOnlyFile(tmp);
        Files.writeString(tmp, secret + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void writeRing(State s) throws IOException {
        ObjectNode node = json.createObjectNode();
        node.put("format", 1);
        node.put("explicit", s.explicit());
        node.put("kek_id", s.kekId());
        node.put("current_dek", s.currentDek());
        ArrayNode deks = node.putArray("deks");
        s.deks().forEach((id, dek) -> deks.addObject()
                .put("id", id)
                .put("sealed", Base64.getEncoder().encodeToString(gcm.seal(s.kek(), aad(id), dek))));
        node.put("updated_at", Instant.now().toString());
        Path file = dir.resolve(RING);
        Path tmp = dir.resolve(RING + ".tmp");
        Files.deleteIfExists(tmp);
        FilePermissions.createOwnerOnlyFile(tmp);
        Files.write(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The id of the DEK that protects new keys. */
    String currentDekId() {
        return state.currentDek();
    }

    /** A DEK by id, or null if there is none. */
    byte[] dek(String id) {
        return state.deks().get(id);
    }

    /** Every DEK id, oldest first. */
    java.util.Set<String> dekIds() {
        return state.deks().keySet();
    }

    /** Whether this process generated the keys when it opened a pristine data directory. */
    boolean generated() {
        return state.generated();
    }

    /**
     * Rotates the master secret and/or the DEK.
     *
     * @return the id of the DEK that was current before
     */
    synchronized String rotate(String masterSecret, String dekSecret) throws IOException {
        State s = state;
        if (!s.explicit() && (masterSecret == null || dekSecret == null)) {
            throw new IllegalArgumentException(
                    "the first key configuration must set both --master-key and --dek (the current keys were"
                            + " generated when the data directory was created)");
        }
        check("--master-key", masterSecret);
        check("--dek", dekSecret);
        byte[] kek = masterSecret == null ? s.kek() : kek(masterSecret);
        Map<String, byte[]> deks = new LinkedHashMap<>(s.deks());
        String current = s.currentDek();
        if (dekSecret != null) {
            byte[] dek = Hkdf.derive(dekSecret.getBytes(StandardCharsets.UTF_8), "eventdbx/dek/v1", "data key");
            current = Hkdf.fingerprint(dek);
            deks.remove(current);
            deks.put(current, dek);
        }
        State next = new State(kek, Hkdf.fingerprint(kek), true, false, current, deks);
        if (masterSecret != null) {
            writeMaster(dir.resolve(MASTER_NEXT), masterSecret);
            writeRing(next);
            Files.move(
                    dir.resolve(MASTER_NEXT),
                    dir.resolve(MASTER),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } else {
            writeRing(next);
        }
        String previous = s.currentDek();
        state = next;
        return previous;
    }

    private static void check(String option, String secret) {
        if (secret != null && secret.strip().length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(
                    option + " must be at least " + MIN_SECRET_LENGTH + " characters (a random 32-byte value is best)");
        }
    }

    /** A printable description: ids and paths, never key material. */
    Map<String, Object> describe() {
        State s = state;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("keys_dir", dir.toString());
        out.put("master_key_file", dir.resolve(MASTER).toString());
        out.put("master_key_id", s.kekId());
        out.put("current_dek_id", s.currentDek());
        out.put("dek_generations", s.deks().size());
        out.put("explicit", s.explicit());
        return out;
    }
}
