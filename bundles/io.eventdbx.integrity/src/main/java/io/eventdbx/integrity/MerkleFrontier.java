package io.eventdbx.integrity;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An aggregate's Merkle tree as its frontier: the roots of the perfect subtrees that the binary decomposition
 * of the tree size gives, left to right (for 6 leaves: the roots of leaves 0–3 and 4–5). That is all an
 * append needs: O(log n) hashing and O(log n) bytes of state, whatever the number of events.
 *
 * <p>The root equals RFC 6962's Merkle Tree Hash of the same leaves. Immutable and thread-safe.
 */
public final class MerkleFrontier {

    private static final MerkleFrontier EMPTY = new MerkleFrontier(0, new byte[0][]);

    private final long size;
    // never modified after construction
    private final byte[][] roots;
    // the root, folded on first use: current-state reads ask for it on every call (a benign race: any thread
    // that folds it gets the same bytes)
    private volatile byte[] root;

    private MerkleFrontier(long size, byte[][] roots) {
        this.size = size;
        this.roots = roots;
    }

    /** The frontier of the empty tree. */
    public static MerkleFrontier empty() {
        return EMPTY;
    }

    /** The number of leaves. */
    public long size() {
        return size;
    }

    /**
     * The tree with one more leaf.
     *
     * @param entry the new leaf's entry (an event hash); it is leaf-hashed here
     * @return the new frontier; this one is unchanged
     */
    public MerkleFrontier append(byte[] entry) {
        byte[] hash = MerkleHashes.leaf(entry);
        int kept = roots.length;
        // Each trailing 1 bit of the old size is a perfect subtree of the same height as the carry: merge them.
        for (long carry = size; (carry & 1) == 1; carry >>>= 1) {
            hash = MerkleHashes.node(roots[--kept], hash);
        }
        byte[][] next = Arrays.copyOf(roots, kept + 1);
        next[kept] = hash;
        return new MerkleFrontier(size + 1, next);
    }

    /** The Merkle root: the subtree roots folded from the right; the empty tree's root for size 0. */
    public byte[] root() {
        byte[] known = root;
        if (known != null) {
            return known;
        }
        if (roots.length == 0) {
            known = MerkleHashes.emptyRoot();
        } else {
            known = roots[roots.length - 1];
            for (int i = roots.length - 2; i >= 0; i--) {
                known = MerkleHashes.node(roots[i], known);
            }
        }
        root = known;
        return known;
    }

    /**
     * Serialises the frontier: the size as 8 bytes big-endian, then each subtree root (32 bytes).
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        byte[] out = new byte[8 + 32 * roots.length];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (size >>> (56 - 8 * i));
        }
        for (int i = 0; i < roots.length; i++) {
            System.arraycopy(roots[i], 0, out, 8 + 32 * i, 32);
        }
        return out;
    }

    /**
     * Reads {@link #toBytes()}.
     *
     * @param bytes the serialised frontier
     * @return the frontier
     * @throws IllegalArgumentException if the bytes are not a frontier
     */
    public static MerkleFrontier fromBytes(byte[] bytes) {
        if (bytes.length < 8) {
            throw new IllegalArgumentException("not a Merkle frontier: " + bytes.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long size = buffer.getLong();
        if (size < 0 || bytes.length != 8 + 32 * Long.bitCount(size)) {
            throw new IllegalArgumentException(
                    "not a Merkle frontier of size " + size + ": " + bytes.length + " bytes");
        }
        byte[][] roots = new byte[Long.bitCount(size)][];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = new byte[32];
            buffer.get(roots[i]);
        }
        return new MerkleFrontier(size, roots);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof MerkleFrontier that) || that.size != size) {
            return false;
        }
        for (int i = 0; i < roots.length; i++) {
            if (!Arrays.equals(roots[i], that.roots[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + (roots.length == 0 ? 0 : Arrays.hashCode(roots[0]));
    }

    @Override
    public String toString() {
        return "MerkleFrontier[size=" + size + ", root=" + Hex.of(root()) + "]";
    }
}
