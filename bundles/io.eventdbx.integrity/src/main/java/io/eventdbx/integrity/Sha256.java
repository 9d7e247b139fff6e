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

    /**
     * The thread's digest, ready for a new hash. Every use must end with {@code digest()}, which resets it (the
     * updates in between cannot fail), so no reset is needed here: it would clear the state a second time.
     */
    static MessageDigest digest() {
        return DIGEST.get();
    }

    static byte[] of(byte prefix, byte[] a, byte[] b) {
        // One array and one update: byte-at-a-time updates cost more than the copy.
        int bLength = b == null ? 0 : b.length;
        byte[] input = new byte[1 + a.length + bLength];
        input[0] = prefix;
        System.arraycopy(a, 0, input, 1, a.length);
        if (b != null) {
            System.arraycopy(b, 0, input, 1 + a.length, bLength);
        }
        return digest().digest(input);
    }
}
