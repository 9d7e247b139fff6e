package io.eventdbx.integrity;

/**
 * The two hash functions of the tree (RFC 6962 section 2.1, RFC 9162 section 2.1.1): a leaf is
 * {@code SHA-256(0x00 ‖ entry)}, an inner node {@code SHA-256(0x01 ‖ left ‖ right)}. The prefixes keep a leaf
 * from ever being mistaken for a node.
 */
public final class MerkleHashes {

    /** The root of the empty tree: SHA-256 of the empty string. */
    public static final String EMPTY_ROOT_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private MerkleHashes() {}

    /**
     * Hashes a leaf.
     *
     * @param entry the leaf's entry: for EventDBX, the 32-byte event hash
     * @return {@code SHA-256(0x00 ‖ entry)}
     */
    public static byte[] leaf(byte[] entry) {
        return Sha256.of((byte) 0x00, entry, null);
    }

    /**
     * Hashes an inner node.
     *
     * @param left the left child's hash
     * @param right the right child's hash
     * @return {@code SHA-256(0x01 ‖ left ‖ right)}
     */
    public static byte[] node(byte[] left, byte[] right) {
        return Sha256.of((byte) 0x01, left, right);
    }

    /** The root of a tree with no leaves. */
    public static byte[] emptyRoot() {
        return Sha256.digest().digest();
    }
}
