package io.eventdbx.token.internal;

import io.eventdbx.config.FilePermissions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The server's Ed25519 token-signing key: {@code keys/token-signing.key} (PKCS#8, Base64, owner-only) and
 * {@code keys/token-signing.pub} (X.509 SubjectPublicKeyInfo, Base64), generated on first use with the JDK's
 * Ed25519.
 */
final class SigningKey {

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
        this.keyId = HexFormat.of().formatHex(hash, 0, 8);
    }

    static SigningKey open(Path keysDir) throws IOException, GeneralSecurityException {
        FilePermissions.createOwnerOnlyDirectory(keysDir);
        Path privateFile = keysDir.resolve("token-signing.key");
        Path publicFile = keysDir.resolve("token-signing.pub");
        KeyFactory factory = KeyFactory.getInstance("Ed25519");
        if (Files.exists(privateFile)) {
            if (FilePermissions.isExposed(privateFile)) {
                throw new IOException(privateFile + " is readable by other users; make it owner-only (chmod 600)");
            }
            byte[] pkcs8 =
                    Base64.getMimeDecoder().decode(Files.readString(privateFile).strip());
            byte[] x509 =
                    Base64.getMimeDecoder().decode(Files.readString(publicFile).strip());
            return new SigningKey(
                    factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)),
                    factory.generatePublic(new X509EncodedKeySpec(x509)));
        }
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path tmp = keysDir.resolve("token-signing.key.tmp");
        Files.deleteIfExists(tmp);
        FilePermissions.createOwnerOnlyFile(tmp);
        Files.writeString(
                tmp, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n");
        Files.writeString(
                publicFile,
                Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n",
                StandardCharsets.US_ASCII);
        Files.move(tmp, privateFile, StandardCopyOption.ATOMIC_MOVE);
        return new SigningKey(pair.getPrivate(), pair.getPublic());
    }

    /** The key's id in token headers ({@code kid}): 16 hex digits of SHA-256 of the public key. */
    String keyId() {
        return keyId;
    }

    byte[] sign(byte[] data) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(privateKey);
            signature.update(data);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    boolean verify(byte[] data, byte[] sig) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(publicKey);
            signature.update(data);
            return signature.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
