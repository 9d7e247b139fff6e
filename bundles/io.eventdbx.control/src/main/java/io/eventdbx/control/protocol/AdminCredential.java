package io.eventdbx.control.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The administrator credential of one data directory: 32 random bytes, hex-encoded in an owner-only file
 * ({@code admin.key}). Whoever can read that file is the local administrator; the server only ever sees
 * HMAC proofs computed from it.
 *
 * <p>{@link #toString()} never reveals the secret.
 */
public final class AdminCredential {

    private static final int LENGTH = 32;

    private final byte[] secret;

    private AdminCredential(byte[] secret) {
        this.secret = secret;
    }

    /**
     * Loads the credential, creating the file with a fresh random secret (mode 0600) if it does not exist.
     *
     * @param file the credential file
     * @return the credential
     * @throws IOException if the file cannot be read or created, is malformed, or is readable by others
     */
    public static AdminCredential loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[LENGTH];
            new SecureRandom().nextBytes(secret);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(
                    file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(temp);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(
                        temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(temp);
            }
            Files.writeString(temp, HexFormat.of().formatHex(secret) + "\n");
            try {
                // A link is atomic: if another process created the file meanwhile, keep theirs.
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException e) {
                // fall through and load the winner's credential
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return load(file);
    }

    /**
     * Loads an existing credential.
     *
     * @param file the credential file
     * @return the credential
     * @throws IOException if it is missing, malformed or readable by group or others
     */
    public static AdminCredential load(Path file) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            var perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> !p.name().startsWith("OWNER_"))) {
                throw new IOException(file + " is readable by other users; run 'chmod 600 " + file + "'");
            }
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        byte[] secret;
        try {
            secret = HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a valid credential file");
        }
        if (secret.length != LENGTH) {
            throw new IOException(file + " is not a valid credential file");
        }
        return new AdminCredential(secret);
    }

    /**
     * Computes the proof for a server's nonce.
     *
     * @param nonce the nonce the server sent
     * @return HMAC-SHA256(secret, context || nonce)
     */
    public byte[] proof(byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(ControlProtocol.PROOF_CONTEXT);
            return mac.doFinal(nonce);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /**
     * Checks a proof in constant time.
     *
     * @param nonce the nonce this server sent
     * @param proof what the client answered
     * @return whether the client holds this credential
     */
    public boolean verify(byte[] nonce, byte[] proof) {
        return MessageDigest.isEqual(proof(nonce), proof);
    }

    @Override
    public String toString() {
        return "AdminCredential[****]";
    }
}
