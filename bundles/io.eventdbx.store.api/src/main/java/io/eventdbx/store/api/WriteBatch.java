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

    /** The number of operations added so far. */
    public int size() {
        return operations.size();
    }

    /**
     * Drops the operations added after the first {@code size}: undoes, in place, what was added since
     * {@link #size()} returned {@code size}. Lets one batch collect the writes of several independent steps and
     * take back those of a step that fails, without staging each step's writes apart first.
     *
     * @param size the number of operations to keep
     * @throws IllegalArgumentException if {@code size} is negative or more than {@link #size()}
     */
    public void truncate(int size) {
        if (size < 0 || size > operations.size()) {
            throw new IllegalArgumentException(
                    "cannot truncate a batch of " + operations.size() + " operations to " + size);
        }
        List<Operation> dropped = operations.subList(size, operations.size());
        for (Operation op : dropped) {
            bytes -= op.key().length + (op.value() == null ? 0 : op.value().length);
        }
        dropped.clear();
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
