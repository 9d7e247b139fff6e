package io.eventdbx.crypto.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Seals and opens stored data. Thread-safe.
 *
 * <p>A sealed value names the key that sealed it, so keys can rotate without rewriting what was written before;
 * it is authenticated together with its associated data, so a value copied to another place (another
 * aggregate, another version) or altered by a single bit does not open.
 */
@ProviderType
public interface DataProtector {

    /** The scope of an aggregate's data: {@code aggregate:<type>:<id>}. */
    static String aggregateScope(String type, String id) {
        return "aggregate:" + type + ":" + id;
    }

    /**
     * Encrypts with the current key of a scope, creating the scope's key on first use.
     *
     * @param scope whose key to use, for example {@link #aggregateScope}
     * @param associatedData what the value belongs to (bound to it, not stored in it)
     * @param plaintext the data
     * @return the sealed value
     */
    byte[] seal(String scope, byte[] associatedData, byte[] plaintext);

    /**
     * Decrypts a sealed value.
     *
     * @param scope the scope it was sealed in
     * @param associatedData the same associated data as when it was sealed
     * @param sealed the sealed value
     * @return the plaintext
     * @throws TamperedDataException if the value, or its associated data, was altered, or its key is gone
     */
    byte[] open(String scope, byte[] associatedData, byte[] sealed);
}
