package io.eventdbx.store.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Puts and deletes applied together or not at all, in the order added. Not thread-safe: one batch is built
 * by one thread.
 */
public final class WriteBatch {

    /**
     * One operation.
     *
     * @param key the key
     * @param value the value, or null for a delete
     */
    public record Operation(byte[] key, byte[] value) {}

    private final List<Operation> operations = new ArrayList<>();
    private long bytes;

    /**
     * Adds a put.
     *
     * @param key the key
     * @param value the value
     * @return this batch
     */
    public WriteBatch put(byte[] key, byte[] value) {
        operations.add(new Operation(key, value));
        bytes += key.length + value.length;
        return this;
    }

    /**
     * Adds a delete.
     *
     * @param key the key
     * @return this batch
     */
    public WriteBatch delete(byte[] key) {
        operations.add(new Operation(key, null));
        bytes += key.length;
        return this;
    }

    /** The operations, in order. */
    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }

    /** Whether the batch is empty. */
    public boolean isEmpty() {
        return operations.isEmpty();
    }

    /** Approximate size of keys and values, in bytes. */
    public long sizeInBytes() {
        return bytes;
    }
}
