package io.eventdbx.integrity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 with one cached {@link MessageDigest} per thread (creating one costs more than hashing 300 bytes). */
final class Sha256 {

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    });

    private Sha256() {}

    static MessageDigest digest() {
        MessageDigest digest = DIGEST.get();
        digest.reset();
        return digest;
    }

    static byte[] of(byte prefix, byte[] a, byte[] b) {
        MessageDigest digest = digest();
        digest.update(prefix);
        digest.update(a);
        if (b != null) {
            digest.update(b);
        }
        return digest.digest();
    }
}
