package io.eventdbx.store.rocksdb.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.StorageEngineContract;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RocksDB passes the storage contract, on a real database in a temporary folder. */
class RocksDbStorageEngineTest extends StorageEngineContract {

    private Path dir;

    @Override
    protected StorageEngine open() throws IOException {
        dir = Files.createTempDirectory("rocks-contract");
        return new RocksDbStorageEngine(dir);
    }

    @Override
    protected StorageEngine reopen(StorageEngine closed) throws IOException {
        closed.close();
        return new RocksDbStorageEngine(dir);
    }

    @Test
    void batchesInRocksDbsEncodingKeepEveryLengthAndDelete() throws IOException {
        StorageEngine storage = open();
        try {
            int[] lengths = {0, 1, 127, 128, 300, 16_383, 16_384, 70_000, 2_097_152};
            WriteBatch first = new WriteBatch();
            for (int length : lengths) {
                byte[] value = new byte[length];
                Arrays.fill(value, (byte) length);
                first.put(key("v", length), value);
                first.put(key("k".repeat(Math.max(1, length % 200)), length), new byte[] {7});
            }
            first.put(key("gone", 0), new byte[] {1});
            storage.write(first, true);
            storage.write(new WriteBatch().delete(key("gone", 0)).put(key("after", 0), new byte[0]), true);
            for (int length : lengths) {
                byte[] value = storage.get(key("v", length));
                assertEquals(length, value.length, "value of length " + length);
                for (byte b : value) {
                    assertEquals((byte) length, b);
                }
                assertArrayEquals(new byte[] {7}, storage.get(key("k".repeat(Math.max(1, length % 200)), length)));
            }
            assertNull(storage.get(key("gone", 0)));
            assertArrayEquals(new byte[0], storage.get(key("after", 0)));
        } finally {
            storage.close();
        }
    }

    private static byte[] key(String prefix, int n) {
        return (prefix + "/" + n).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aSecondOpenOfTheSameStoreIsRefusedClearly() {
        IOException e = assertThrows(IOException.class, () -> new RocksDbStorageEngine(dir));
        assertTrue(e.getMessage().startsWith("cannot open the store in " + dir), e.getMessage());
    }
}
