package io.eventdbx.crypto.api;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** Sets and rotates the keys at the top of the hierarchy. Thread-safe. */
@ProviderType
public interface KeyManagement {

    /**
     * Sets or rotates the master key and/or the data-encryption key. The first explicit configuration must set
     * both; later ones may change either. Data already written stays readable: older data-encryption keys are
     * kept (protected by the current master key), and a new master key re-protects every data-encryption key.
     *
     * @param masterSecret the new master secret, or null to keep the current one
     * @param dekSecret the new data-encryption secret, or null to keep the current one
     * @return what changed, safe to print: key ids, never key material
     * @throws IllegalArgumentException if a secret is too weak, or the first configuration does not set both
     */
    Map<String, Object> configure(String masterSecret, String dekSecret);

    /**
     * Describes the keys, safe to print: ids, where they are kept, whether they were generated.
     *
     * @return the description
     */
    Map<String, Object> describe();
}
