package io.eventdbx.core.internal;

import io.eventdbx.crypto.api.DataProtector;

/**
 * No encryption: values are stored as they are. Only for tests and for the benchmark's encryption-off
 * baseline ({@link EventStoreEngine}'s constructors without a protector); the service always encrypts.
 */
final class PlaintextProtector implements DataProtector {

    @Override
    public byte[] seal(String scope, byte[] associatedData, byte[] plaintext) {
        return plaintext.clone();
    }

    @Override
    public byte[] open(String scope, byte[] associatedData, byte[] sealed) {
        return sealed.clone();
    }
}
