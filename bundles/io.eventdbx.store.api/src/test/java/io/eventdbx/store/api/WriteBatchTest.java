package io.eventdbx.store.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WriteBatchTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void truncateDropsWhatWasAddedAfterTheMarkAndItsSize() {
        WriteBatch batch = new WriteBatch().put(bytes("k1"), bytes("value"));
        int mark = batch.size();
        long bytesAtMark = batch.sizeInBytes();
        batch.put(bytes("k2"), bytes("another value")).delete(bytes("k1"));
        assertEquals(3, batch.size());

        batch.truncate(mark);

        assertEquals(1, batch.size());
        assertEquals(bytesAtMark, batch.sizeInBytes());
        assertArrayEquals(bytes("k1"), batch.operations().get(0).key());
        assertArrayEquals(bytes("value"), batch.operations().get(0).value());
        batch.delete(bytes("k3"));
        assertEquals(2, batch.size());
        assertNull(batch.operations().get(1).value());
    }

    @Test
    void truncateToNothingEmptiesTheBatch() {
        WriteBatch batch = new WriteBatch().put(bytes("k"), bytes("v")).delete(bytes("k"));
        batch.truncate(0);
        assertTrue(batch.isEmpty());
        assertEquals(0, batch.sizeInBytes());
    }

    @Test
    void truncateBeyondTheBatchIsRefused() {
        WriteBatch batch = new WriteBatch().put(bytes("k"), bytes("v"));
        assertThrows(IllegalArgumentException.class, () -> batch.truncate(2));
        assertThrows(IllegalArgumentException.class, () -> batch.truncate(-1));
        assertEquals(1, batch.size());
    }
}
