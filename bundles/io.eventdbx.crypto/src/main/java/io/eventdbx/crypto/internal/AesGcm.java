package io.eventdbx.crypto.internal;

import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a fresh random 96-bit nonce per value: {@code nonce ‖ ciphertext ‖ tag}. One {@link Cipher}
 * and one random generator per thread: creating a Cipher costs several times more than encrypting 300 bytes.
 */
final class AesGcm {

    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    static final int OVERHEAD = NONCE_BYTES + TAG_BITS / 8;

    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(AesGcm::newCipher);
    private final ThreadLocal<SecureRandom> randoms = ThreadLocal.withInitial(AesGcm::newRandom);

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /** Fills an array with random bytes from this thread's generator. */
    byte[] random(int length) {
        byte[] bytes = new byte[length];
        randoms.get().nextBytes(bytes);
        return bytes;
    }

    /**
     * Encrypts into {@code out} at {@code offset}: nonce, then ciphertext and tag.
     *
     * @return the number of bytes written
     */
    int seal(byte[] key, byte[] aad, byte[] plaintext, byte[] out, int offset) {
        byte[] nonce = random(NONCE_BYTES);
        System.arraycopy(nonce, 0, out, offset, NONCE_BYTES);
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return NONCE_BYTES + cipher.doFinal(plaintext, 0, plaintext.length, out, offset + NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed: " + e.getMessage(), e);
        }
    }

    /** Encrypts into a new array: nonce, ciphertext, tag. */
    byte[] seal(byte[] key, byte[] aad, byte[] plaintext) {
        byte[] out = new byte[OVERHEAD + plaintext.length];
        seal(key, aad, plaintext, out, 0);
        return out;
    }

    /**
     * Decrypts {@code nonce ‖ ciphertext ‖ tag} found at {@code offset}.
     *
     * @return the plaintext, or null if the tag does not verify (altered data, other AAD or another key)
     */
    byte[] open(byte[] key, byte[] aad, byte[] sealed, int offset) {
        int length = sealed.length - offset;
        if (length < OVERHEAD) {
            return null;
        }
        Cipher cipher = ciphers.get();
        try {
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BITS, sealed, offset, NONCE_BYTES));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed, offset + NONCE_BYTES, length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed: " + e.getMessage(), e);
        }
    }
}
