package io.eventdbx.integrity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Merkle tree hashes, inclusion proofs and consistency proofs over a list of leaf entries (RFC 6962 section
 * 2.1, verification as in RFC 9162 sections 2.1.3.2 and 2.1.4.2). Leaf indexes are 0-based: the event of
 * version {@code v} is leaf {@code v - 1}.
 */
public final class MerkleProofs {

    private MerkleProofs() {}

    /**
     * The Merkle Tree Hash of the given entries.
     *
     * @param entries leaf entries (event hashes), in order
     * @return the root
     */
    public static byte[] root(List<byte[]> entries) {
        return entries.isEmpty() ? MerkleHashes.emptyRoot() : mth(leaves(entries), 0, entries.size());
    }

    /**
     * The audit path proving that entry {@code index} is in the tree of the first {@code size} entries.
     *
     * @param entries at least {@code size} leaf entries
     * @param index the leaf, {@code 0 <= index < size}
     * @param size the tree size
     * @return the path, bottom up
     */
    public static List<byte[]> inclusionProof(List<byte[]> entries, long index, long size) {
        checkRange(index, size, entries.size(), "leaf index");
        List<byte[]> path = new ArrayList<>();
        path(leaves(entries), (int) index, 0, (int) size, path);
        return path;
    }

    /**
     * The proof that the tree of the first {@code oldSize} entries is a prefix of the tree of the first
     * {@code newSize} entries.
     *
     * @param entries at least {@code newSize} leaf entries
     * @param oldSize the earlier size, {@code 0 <= oldSize <= newSize}
     * @param newSize the later size
     * @return the proof
     */
    public static List<byte[]> consistencyProof(List<byte[]> entries, long oldSize, long newSize) {
        if (oldSize < 0 || oldSize > newSize || newSize > entries.size()) {
            throw new IllegalArgumentException("consistency proof needs 0 <= old size <= new size <= " + entries.size()
                    + ", got " + oldSize + " and " + newSize);
        }
        List<byte[]> proof = new ArrayList<>();
        if (oldSize > 0 && oldSize < newSize) {
            subproof(leaves(entries), (int) oldSize, 0, (int) newSize, true, proof);
        }
        return proof;
    }

    /**
     * Verifies an inclusion proof.
     *
     * @param entry the leaf entry (event hash)
     * @param index its 0-based index
     * @param size the tree size the proof is for
     * @param path the audit path
     * @param root the expected root of that tree
     * @return whether the proof holds
     */
    public static boolean verifyInclusion(byte[] entry, long index, long size, List<byte[]> path, byte[] root) {
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = MerkleHashes.leaf(entry);
        for (byte[] p : path) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleHashes.node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = MerkleHashes.node(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && Arrays.equals(r, root);
    }

    /**
     * Verifies a consistency proof.
     *
     * @param oldSize the earlier tree size
     * @param newSize the later tree size
     * @param oldRoot the earlier root
     * @param newRoot the later root
     * @param proof the proof
     * @return whether the earlier tree is a prefix of the later one
     */
    public static boolean verifyConsistency(
            long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, List<byte[]> proof) {
        if (oldSize < 0 || oldSize > newSize) {
            return false;
        }
        if (oldSize == newSize) {
            return proof.isEmpty() && Arrays.equals(oldRoot, newRoot);
        }
        if (oldSize == 0) {
            return proof.isEmpty() && Arrays.equals(oldRoot, MerkleHashes.emptyRoot());
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(oldSize) == 1) {
            path.add(0, oldRoot);
        }
        long fn = oldSize - 1;
        long sn = newSize - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleHashes.node(c, fr);
                sr = MerkleHashes.node(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = MerkleHashes.node(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && Arrays.equals(fr, oldRoot) && Arrays.equals(sr, newRoot);
    }

    private static List<byte[]> leaves(List<byte[]> entries) {
        List<byte[]> leaves = new ArrayList<>(entries.size());
        entries.forEach(entry -> leaves.add(MerkleHashes.leaf(entry)));
        return leaves;
    }

    /** Largest power of two strictly less than n (n >= 2). */
    private static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    private static byte[] mth(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int k = split(n);
        return MerkleHashes.node(mth(leaves, from, from + k), mth(leaves, from + k, to));
    }

    private static void path(List<byte[]> leaves, int m, int from, int to, List<byte[]> out) {
        int n = to - from;
        if (n <= 1) {
            return;
        }
        int k = split(n);
        if (m < k) {
            path(leaves, m, from, from + k, out);
            out.add(mth(leaves, from + k, to));
        } else {
            path(leaves, m - k, from + k, to, out);
            out.add(mth(leaves, from, from + k));
        }
    }

    private static void subproof(List<byte[]> leaves, int m, int from, int to, boolean complete, List<byte[]> out) {
        int n = to - from;
        if (m == n) {
            if (!complete) {
                out.add(mth(leaves, from, to));
            }
            return;
        }
        int k = split(n);
        if (m <= k) {
            subproof(leaves, m, from, from + k, complete, out);
            out.add(mth(leaves, from + k, to));
        } else {
            subproof(leaves, m - k, from + k, to, false, out);
            out.add(mth(leaves, from, from + k));
        }
    }

    private static void checkRange(long index, long size, int available, String what) {
        if (size < 1 || size > available || index < 0 || index >= size) {
            throw new IllegalArgumentException(
                    what + " " + index + " is not in a tree of size " + size + " (" + available + " entries known)");
        }
    }
}
