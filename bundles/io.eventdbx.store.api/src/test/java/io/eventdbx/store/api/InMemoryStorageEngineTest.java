package io.eventdbx.store.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The in-memory engine passes the contract, and its test hooks (failing writes, tampering) do what they say. */
class InMemoryStorageEngineTest extends StorageEngineContract {

    @Override
    protected StorageEngine open() {
        return new InMemoryStorageEngine();
    }

    @Override
    protected StorageEngine reopen(StorageEngine closed) {
        return null;
    }

    @Test
    void failedWritesApplyNothingUntilTheyAreAllowedAgain() throws Exception {
        InMemoryStorageEngine memory = (InMemoryStorageEngine) engine;
        IOException failure = new IOException("disk full");
        memory.failWrites(failure);
        assertSame(
                failure,
                assertThrows(IOException.class, () -> memory.write(new WriteBatch().put(b("a"), b("1")), true)));
        assertNull(memory.get(b("a")));
        memory.failWrites(null);
        memory.write(new WriteBatch().put(b("a"), b("1")), true);
        assertArrayEquals(b("1"), memory.get(b("a")));
    }

    @Test
    void tamperReplacesAValueBehindTheWritersBack() throws Exception {
        InMemoryStorageEngine memory = (InMemoryStorageEngine) engine;
        memory.write(new WriteBatch().put(b("k"), b("original")), true);
        memory.tamper(b("k"), b("forged"));
        assertArrayEquals(b("forged"), memory.get(b("k")));
    }
}
