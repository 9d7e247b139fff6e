package io.eventdbx.crypto.internal;

import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.crypto.api.TamperedDataException;
import io.eventdbx.store.api.KeyValue;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Envelope encryption: each scope (an aggregate, or a system area such as the token records) has its own random
 * AES-256 key, kept in the store sealed with the current data-encryption key of the {@link KeyRing}.
 *
 * <p>Stored scope key: {@code 'K' scope 0x00 key-id(8)} → {@code 0x01 ‖ created(8) ‖ dek-id(16 ASCII) ‖
 * sealed key}. Sealed value: {@code 0x01 ‖ key-id(8) ‖ nonce(12) ‖ ciphertext ‖ tag(16)}, authenticated with
 * {@code "eventdbx/data/v1" 0x00 scope 0x00 key-id ‖ associated data}.
 *
 * <p>A new scope key is written with {@code sync=false}: the write that first stores data sealed with it comes
 * later in the same write-ahead log and syncs it, so the key is durable no later than that data.
 */
final class EnvelopeProtector implements DataProtector {

    static final byte KEY_PREFIX = io.eventdbx.store.api.KeyPrefixes.KEYS;
    private static final byte FORMAT = 1;
    private static final int HEADER = 1 + 8;
    private static final byte[] DATA_LABEL = "eventdbx/data/v1\u0000".getBytes(StandardCharsets.UTF_8);

    private final StorageEngine storage;
    private final KeyRing ring;
    private final AesGcm gcm;
    private final int capacity;
    private final Map<String, ScopeKeys> cache = new ConcurrentHashMap<>();
    /** The cached scopes in order of insertion; guards every eviction. */
    private final LinkedHashSet<String> order = new LinkedHashSet<>();

    /** A scope's keys: the current one (newest) and every one by id. */
    private record ScopeKeys(long currentId, byte[] current, Map<Long, byte[]> all) {}

    EnvelopeProtector(StorageEngine storage, KeyRing ring, AesGcm gcm, int capacity) {
        this.storage = storage;
        this.ring = ring;
        this.gcm = gcm;
        this.capacity = capacity;
    }

    @Override
    public byte[] seal(String scope, byte[] associatedData, byte[] plaintext) {
        ScopeKeys keys = keys(scope, true);
        byte[] out = new byte[HEADER + AesGcm.OVERHEAD + plaintext.length];
        out[0] = FORMAT;
        putLong(out, 1, keys.currentId());
        gcm.seal(keys.current(), aad(scope, keys.currentId(), associatedData), plaintext, out, HEADER);
        return out;
    }

    @Override
    public byte[] open(String scope, byte[] associatedData, byte[] sealed) {
        if (sealed.length < HEADER + AesGcm.OVERHEAD || sealed[0] != FORMAT) {
            throw new TamperedDataException("a sealed value of " + scope + " is malformed");
        }
        long keyId = ByteBuffer.wrap(sealed, 1, 8).getLong();
        ScopeKeys keys = keys(scope, false);
        byte[] key = keys == null ? null : keys.all().get(keyId);
        if (key == null) {
            throw new TamperedDataException("the key that sealed a value of " + scope + " does not exist");
        }
        byte[] plain = gcm.open(key, aad(scope, keyId, associatedData), sealed, HEADER);
        if (plain == null) {
            throw new TamperedDataException("a sealed value of " + scope + " was altered, or moved from elsewhere");
        }
        return plain;
    }

    private static byte[] aad(String scope, long keyId, byte[] associatedData) {
        byte[] scopeBytes = scope.getBytes(StandardCharsets.UTF_8);
        byte[] aad = new byte[DATA_LABEL.length + scopeBytes.length + 1 + 8 + associatedData.length];
        System.arraycopy(DATA_LABEL, 0, aad, 0, DATA_LABEL.length);
        System.arraycopy(scopeBytes, 0, aad, DATA_LABEL.length, scopeBytes.length);
        int at = DATA_LABEL.length + scopeBytes.length + 1;
        putLong(aad, at, keyId);
        System.arraycopy(associatedData, 0, aad, at + 8, associatedData.length);
        return aad;
    }

    private static void putLong(byte[] out, int at, long value) {
        for (int i = 0; i < 8; i++) {
            out[at + i] = (byte) (value >>> (56 - 8 * i));
        }
    }

    private ScopeKeys keys(String scope, boolean create) {
        ScopeKeys keys = cache.get(scope);
        if (keys != null) {
            return keys;
        }
        keys = create ? cache.computeIfAbsent(scope, s -> loadOrCreate(s)) : load(scope);
        if (keys != null) {
            admit(scope, keys);
        }
        return keys;
    }

    /**
     * Records a newly cached scope and drops the oldest ones past the capacity, in O(1) each (a fresh iterator of
     * the map per eviction would scan the buckets earlier evictions emptied: quadratic with many aggregates).
     */
    private void admit(String scope, ScopeKeys keys) {
        synchronized (order) {
            cache.putIfAbsent(scope, keys);
            order.add(scope);
            while (cache.size() > capacity && order.size() > 1) {
                Iterator<String> oldest = order.iterator();
                String victim = oldest.next();
                if (victim.equals(scope)) {
                    break;
                }
                oldest.remove();
                cache.remove(victim);
            }
        }
    }

    private ScopeKeys loadOrCreate(String scope) {
        ScopeKeys keys = load(scope);
        return keys != null ? keys : create(scope);
    }

    private ScopeKeys load(String scope) {
        byte[] prefix = prefix(scope);
        List<KeyValue> stored;
        try {
            stored = storage.scan(prefix, end(prefix), Integer.MAX_VALUE, false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the keys of " + scope + ": " + e.getMessage(), e);
        }
        if (stored.isEmpty()) {
            return null;
        }
        Map<Long, byte[]> all = new java.util.HashMap<>();
        long currentId = 0;
        long newest = Long.MIN_VALUE;
        byte[] current = null;
        for (KeyValue kv : stored) {
            StoredKey k = parse(scope, kv);
            all.put(k.id(), k.key());
            if (k.created() > newest) {
                newest = k.created();
                currentId = k.id();
                current = k.key();
            }
        }
        return new ScopeKeys(currentId, current, Map.copyOf(all));
    }

    /** A stored scope key, opened. */
    private record StoredKey(long id, long created, byte[] key) {}

    private StoredKey parse(String scope, KeyValue kv) {
        long id = ByteBuffer.wrap(kv.key(), kv.key().length - 8, 8).getLong();
        ByteBuffer value = ByteBuffer.wrap(kv.value());
        if (value.get() != FORMAT) {
            throw new TamperedDataException("a stored key of " + scope + " is malformed");
        }
        long created = value.getLong();
        byte[] dekIdBytes = new byte[16];
        value.get(dekIdBytes);
        String dekId = new String(dekIdBytes, StandardCharsets.US_ASCII);
        byte[] dek = ring.dek(dekId);
        byte[] key = dek == null ? null : gcm.open(dek, keyAad(scope, id, dekId), kv.value(), value.position());
        if (key == null) {
            throw new TamperedDataException("a stored key of " + scope + " does not open (data-encryption key " + dekId
                    + (dek == null ? " is missing)" : " does not match)"));
        }
        return new StoredKey(id, created, key);
    }

    private ScopeKeys create(String scope) {
        byte[] key = gcm.random(AesGcm.KEY_BYTES);
        long id = ByteBuffer.wrap(gcm.random(8)).getLong();
        WriteBatch batch =
                new WriteBatch().put(storedKey(scope, id), sealKey(scope, id, key, System.currentTimeMillis() * 1000));
        try {
            storage.write(batch, false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot store a new key for " + scope + ": " + e.getMessage(), e);
        }
        return new ScopeKeys(id, key, Map.of(id, key));
    }

    private byte[] sealKey(String scope, long id, byte[] key, long createdMicros) {
        String dekId = ring.currentDekId();
        byte[] dekIdBytes = dekId.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + 8 + 16 + AesGcm.OVERHEAD + key.length];
        out[0] = FORMAT;
        putLong(out, 1, createdMicros);
        System.arraycopy(dekIdBytes, 0, out, 9, 16);
        gcm.seal(ring.dek(dekId), keyAad(scope, id, dekId), key, out, 25);
        return out;
    }

    private static byte[] keyAad(String scope, long id, String dekId) {
        return ("eventdbx/scope-key/v1\u0000" + scope + "\u0000" + Long.toHexString(id) + "\u0000" + dekId)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] prefix(String scope) {
        byte[] scopeBytes = scope.getBytes(StandardCharsets.UTF_8);
        byte[] prefix = new byte[scopeBytes.length + 2];
        prefix[0] = KEY_PREFIX;
        System.arraycopy(scopeBytes, 0, prefix, 1, scopeBytes.length);
        return prefix; // last byte 0x00
    }

    private static byte[] end(byte[] prefix) {
        byte[] end = prefix.clone();
        end[end.length - 1] = 1;
        return end;
    }

    private static byte[] storedKey(String scope, long id) {
        byte[] prefix = prefix(scope);
        byte[] key = java.util.Arrays.copyOf(prefix, prefix.length + 8);
        putLong(key, prefix.length, id);
        return key;
    }

    /**
     * Re-seals every stored scope key with the current data-encryption key, in one synced write: after a DEK
     * rotation, no scope key depends on an older DEK.
     *
     * @return how many keys were re-sealed
     */
    int reseal() throws IOException {
        byte[] from = {KEY_PREFIX};
        byte[] to = {KEY_PREFIX + 1};
        WriteBatch batch = new WriteBatch();
        int count = 0;
        byte[] cursor = from;
        while (true) {
            List<KeyValue> page = storage.scan(cursor, to, 1000, false);
            for (KeyValue kv : page) {
                byte[] k = kv.key();
                int zero = k.length - 9;
                String scope = new String(k, 1, zero - 1, StandardCharsets.UTF_8);
                StoredKey stored = parse(scope, kv);
                batch.put(k, sealKey(scope, stored.id(), stored.key(), stored.created()));
                count++;
            }
            if (page.size() < 1000) {
                break;
            }
            byte[] last = page.get(page.size() - 1).key();
            cursor = java.util.Arrays.copyOf(last, last.length + 1);
        }
        if (!batch.isEmpty()) {
            storage.write(batch, true);
        }
        return count;
    }
}
