package io.eventdbx.store.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A storage engine in memory, for tests of the code above the SPI. Batches are atomic (readers never see half
 * a batch); "sync" is meaningless here. Can be told to fail writes, to test failure handling.
 */
public final class InMemoryStorageEngine implements StorageEngine {

    private final NavigableMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;
    private volatile IOException failWrites;

    /** From now on every write fails with this exception (null: writes work again). */
    public void failWrites(IOException failure) {
        this.failWrites = failure;
    }

    /** Replaces a stored value behind the back of whatever uses the engine (tamper tests). */
    public void tamper(byte[] key, byte[] value) {
        lock.writeLock().lock();
        try {
            data.put(key, value);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public byte[] get(byte[] key) throws IOException {
        check();
        lock.readLock().lock();
        try {
            byte[] value = data.get(key);
            return value == null ? null : value.clone();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) throws IOException {
        check();
        lock.readLock().lock();
        try {
            if (Arrays.compareUnsigned(from, to) >= 0) {
                return List.of();
            }
            NavigableMap<byte[], byte[]> range = data.subMap(from, true, to, false);
            List<KeyValue> out = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> e : (reverse ? range.descendingMap() : range).entrySet()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(new KeyValue(e.getKey().clone(), e.getValue().clone()));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void write(WriteBatch batch, boolean sync) throws IOException {
        check();
        IOException failure = failWrites;
        if (failure != null) {
            throw failure;
        }
        lock.writeLock().lock();
        try {
            for (WriteBatch.Operation op : batch.operations()) {
                if (op.value() == null) {
                    data.remove(op.key());
                } else {
                    data.put(op.key().clone(), op.value().clone());
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void flush() throws IOException {
        check();
    }

    @Override
    public void close() {
        closed = true;
    }

    private void check() throws IOException {
        if (closed) {
            throw new IOException("the storage engine is closed");
        }
    }
}
