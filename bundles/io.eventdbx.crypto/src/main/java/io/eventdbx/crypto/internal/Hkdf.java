package io.eventdbx.crypto.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF-SHA256 (RFC 5869) for one 32-byte output block, and key fingerprints. */
final class Hkdf {

    private Hkdf() {}

    /**
     * Derives a 32-byte key from a secret.
     *
     * @param secret the input keying material
     * @param salt a fixed, purpose-specific salt
     * @param info what the key is for
     * @return 32 bytes
     */
    static byte[] derive(byte[] secret, String salt, String info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] prk = mac.doFinal(secret);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(info.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JDK", e);
        }
    }

    /**
     * A key's public name: the first 8 bytes of SHA-256 over a label and the key, as 16 hex digits. It tells
     * keys apart and reveals nothing usable about them.
     */
    static String fingerprint(byte[] key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("eventdbx/key-id/v1".getBytes(StandardCharsets.UTF_8));
            byte[] hash = digest.digest(key);
            StringBuilder hex = new StringBuilder(16);
            for (int i = 0; i < 8; i++) {
                hex.append(Character.forDigit((hash[i] >> 4) & 0xF, 16)).append(Character.forDigit(hash[i] & 0xF, 16));
            }
            return hex.toString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }
}
