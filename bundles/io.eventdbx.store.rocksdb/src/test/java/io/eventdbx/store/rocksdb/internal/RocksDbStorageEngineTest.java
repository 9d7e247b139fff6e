package io.eventdbx.store.rocksdb.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.StorageEngineContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void aSecondOpenOfTheSameStoreIsRefusedClearly() {
        IOException e = assertThrows(IOException.class, () -> new RocksDbStorageEngine(dir));
        assertTrue(e.getMessage().startsWith("cannot open the store in " + dir), e.getMessage());
    }
}
