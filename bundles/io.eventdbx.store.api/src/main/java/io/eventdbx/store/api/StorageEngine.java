package io.eventdbx.store.api;

import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An ordered key-value store: the one thing an engine bundle implements. Thread-safe. Keys are compared as
 * unsigned bytes, lexicographically.
 */
@ConsumerType
public interface StorageEngine extends AutoCloseable {

    /**
     * Reads one value.
     *
     * @param key the key
     * @return the value, or null if absent
     * @throws IOException if the storage fails
     */
    byte[] get(byte[] key) throws IOException;

    /**
     * Reads several values at once, which an engine may do faster than one {@link #get} each (RocksDB's MultiGet
     * batches the lookups). The default reads them one by one.
     *
     * @param keys the keys
     * @return their values in the same order, null for an absent one
     * @throws IOException if the storage fails
     * @since 1.4
     */
    default List<byte[]> getAll(List<byte[]> keys) throws IOException {
        List<byte[]> out = new java.util.ArrayList<>(keys.size());
        for (byte[] key : keys) {
            out.add(get(key));
        }
        return out;
    }

    /**
     * Reads entries with {@code from <= key < to} in key order (or reverse order), at most {@code limit}.
     *
     * @param from the lowest key, inclusive
     * @param to the highest key, exclusive
     * @param limit the most entries to return
     * @param reverse whether to return them highest key first
     * @return the entries
     * @throws IOException if the storage fails
     */
    List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) throws IOException;

    /**
     * Applies a batch atomically. Batches are durable in the order they were written: a batch written without sync
     * becomes durable at the latest when a later batch is written with sync returns (the crypto bundle writes a new
     * key without sync and relies on the synced batch that first uses it; the contract suite checks it).
     *
     * @param batch the batch
     * @param sync whether to return only once the batch is durable (the write-ahead log is synced)
     * @throws IOException if the batch could not be applied; then none of it is
     */
    void write(WriteBatch batch, boolean sync) throws IOException;

    /**
     * Makes everything written so far durable in the engine's data files (not only its log), so that the
     * bytes can be inspected on disk.
     *
     * @throws IOException if the storage fails
     */
    void flush() throws IOException;

    /** Releases every resource; further calls fail. */
    @Override
    void close();
}
