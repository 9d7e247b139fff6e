package io.eventdbx.schema.internal;

import io.eventdbx.crypto.api.DataProtector;

/** Values as they are: these tests are about schemas, not encryption. */
final class NoEncryption implements DataProtector {

    @Override
    public byte[] seal(String scope, byte[] associatedData, byte[] plaintext) {
        return plaintext.clone();
    }

    @Override
    public byte[] open(String scope, byte[] associatedData, byte[] sealed) {
        return sealed.clone();
    }
}
