package io.eventdbx.store.rocksdb.internal;

import io.eventdbx.store.api.KeyValue;
import io.eventdbx.store.api.StorageEngine;
import io.eventdbx.store.api.WriteBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The RocksDB engine as a service: the database in {@code <data_dir>/store}, opened when the runtime
 * configuration arrives and closed (every native handle released) when the component deactivates.
 */
@Component(
        service = StorageEngine.class,
        configurationPid = "io.eventdbx.store",
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "eventdbx.storage=rocksdb")
public final class RocksDbStorageComponent implements StorageEngine {

    /** The part of the runtime configuration this component reads. */
    public @interface Config {
        /**
         * The data directory.
         *
         * @return an absolute path
         */
        String data__dir();
    }

    private final RocksDbStorageEngine engine;

    /**
     * Opens the store.
     *
     * @param config the runtime configuration
     * @throws IOException if the store cannot be opened
     */
    @Activate
    public RocksDbStorageComponent(Config config) throws IOException {
        this.engine = new RocksDbStorageEngine(Path.of(config.data__dir()).resolve("store"));
    }

    @Deactivate
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public byte[] get(byte[] key) throws IOException {
        return engine.get(key);
    }

    @Override
    public List<byte[]> getAll(List<byte[]> keys) throws IOException {
        return engine.getAll(keys);
    }

    @Override
    public List<KeyValue> scan(byte[] from, byte[] to, int limit, boolean reverse) throws IOException {
        return engine.scan(from, to, limit, reverse);
    }

    @Override
    public void write(WriteBatch batch, boolean sync) throws IOException {
        engine.write(batch, sync);
    }

    @Override
    public void flush() throws IOException {
        engine.flush();
    }
}
