package io.eventdbx.crypto.internal;

import io.eventdbx.crypto.api.DataProtector;
import io.eventdbx.crypto.api.KeyManagement;
import io.eventdbx.store.api.StorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encryption at rest as a service: the key ring in {@code <data_dir>/keys} (generated on a pristine data
 * directory) and per-scope keys in the store.
 */
@Component(
        service = {DataProtector.class, KeyManagement.class},
        configurationPid = "io.eventdbx.crypto",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class CryptoComponent implements DataProtector, KeyManagement {

    /** The part of the runtime configuration this component reads. */
    public @interface Config {
        /**
         * The data directory.
         *
         * @return an absolute path
         */
        String data__dir();
    }

    private static final Logger LOG = LoggerFactory.getLogger(CryptoComponent.class);
    static final int CACHED_SCOPES = 100_000;

    private final KeyRing ring;
    private final EnvelopeProtector protector;

    /**
     * Opens (or creates) the key ring.
     *
     * @param storage where scope keys are kept
     * @param config the runtime configuration
     * @throws IOException if the key files cannot be read or written
     */
    @Activate
    public CryptoComponent(@Reference StorageEngine storage, Config config) throws IOException {
        this(storage, Path.of(config.data__dir()));
    }

    /**
     * Opens (or creates) the key ring of a data directory, without OSGi (tests, benchmarks).
     *
     * @param storage where scope keys are kept
     * @param dataDir the data directory; keys live in its {@code keys/} folder
     * @throws IOException if the key files cannot be read or written
     */
    public CryptoComponent(StorageEngine storage, Path dataDir) throws IOException {
        AesGcm gcm = new AesGcm();
        Path keys = dataDir.resolve("keys");
        this.ring = KeyRing.open(keys, gcm);
        this.protector = new EnvelopeProtector(storage, ring, gcm, CACHED_SCOPES);
        if (ring.generated()) {
            // Where, never what.
            LOG.info(
                    "generated a random master key and data-encryption key in {} (owner-only); set your own with"
                            + " dbx config --master-key <secret> --dek <secret>",
                    keys);
        } else {
            LOG.info(
                    "encryption at rest with the keys in {} (master key id {})",
                    keys,
                    ring.describe().get("master_key_id"));
        }
    }

    @Override
    public byte[] seal(String scope, byte[] associatedData, byte[] plaintext) {
        return protector.seal(scope, associatedData, plaintext);
    }

    @Override
    public byte[] open(String scope, byte[] associatedData, byte[] sealed) {
        return protector.open(scope, associatedData, sealed);
    }

    @Override
    public Map<String, Object> configure(String masterSecret, String dekSecret) {
        try {
            String before = ring.currentDekId();
            ring.rotate(masterSecret, dekSecret);
            Map<String, Object> out = new LinkedHashMap<>(ring.describe());
            if (masterSecret != null) {
                out.put("master_key", "set");
            }
            if (dekSecret != null) {
                out.put("dek", before.equals(ring.currentDekId()) ? "unchanged (same secret)" : "rotated");
                out.put("scope_keys_resealed", protector.reseal());
            }
            LOG.info(
                    "encryption keys configured: master key {}, data-encryption key {}",
                    out.get("master_key_id"),
                    out.get("current_dek_id"));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key ring: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Object> describe() {
        return ring.describe();
    }
}
