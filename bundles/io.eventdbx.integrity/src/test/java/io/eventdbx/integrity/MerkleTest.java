package io.eventdbx.integrity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTest {

    /** The eight leaves of the RFC 6962 reference test data (certificate-transparency). */
    private static final List<byte[]> RFC_LEAVES = List.of(
            Hex.parse(""),
            Hex.parse("00"),
            Hex.parse("10"),
            Hex.parse("2021"),
            Hex.parse("3031"),
            Hex.parse("40414243"),
            Hex.parse("5051525354555657"),
            Hex.parse("606162636465666768696a6b6c6d6e6f"));

    private static final List<String> RFC_ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    private static List<byte[]> entries(int n) {
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(new EventHash(
                            "t", "id", i + 1, "e", "id-" + i, "2026-01-01T00:00:00Z", null, null, null, null, "{}")
                    .hash());
        }
        return entries;
    }

    @Test
    void rootsMatchTheRfc6962ReferenceData() {
        MerkleFrontier frontier = MerkleFrontier.empty();
        assertEquals(MerkleHashes.EMPTY_ROOT_HEX, Hex.of(frontier.root()));
        for (int i = 0; i < RFC_LEAVES.size(); i++) {
            frontier = frontier.append(RFC_LEAVES.get(i));
            assertEquals(RFC_ROOTS.get(i), Hex.of(frontier.root()), "root of " + (i + 1) + " leaves");
            assertEquals(RFC_ROOTS.get(i), Hex.of(MerkleProofs.root(RFC_LEAVES.subList(0, i + 1))));
        }
    }

    @Test
    void frontierAgreesWithTheFullTreeAndSerialises() {
        List<byte[]> entries = entries(70);
        MerkleFrontier frontier = MerkleFrontier.empty();
        for (int n = 1; n <= entries.size(); n++) {
            frontier = frontier.append(entries.get(n - 1));
            assertArrayEquals(MerkleProofs.root(entries.subList(0, n)), frontier.root(), "size " + n);
            assertEquals(frontier, MerkleFrontier.fromBytes(frontier.toBytes()));
            assertEquals(8 + 32 * Long.bitCount(n), frontier.toBytes().length, "O(log n) state");
        }
        assertThrows(IllegalArgumentException.class, () -> MerkleFrontier.fromBytes(new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> MerkleFrontier.fromBytes(new byte[9]));
    }

    @Test
    void inclusionProofsVerifyAndRejectTampering() {
        List<byte[]> entries = entries(33);
        for (int size = 1; size <= entries.size(); size++) {
            byte[] root = MerkleProofs.root(entries.subList(0, size));
            for (int index = 0; index < size; index++) {
                List<byte[]> path = MerkleProofs.inclusionProof(entries, index, size);
                assertTrue(
                        MerkleProofs.verifyInclusion(entries.get(index), index, size, path, root), index + "/" + size);
                if (size > 1) {
                    int other = (index + 1) % size;
                    assertFalse(MerkleProofs.verifyInclusion(entries.get(other), index, size, path, root));
                    assertFalse(MerkleProofs.verifyInclusion(entries.get(index), other, size, path, root));
                }
                if (size < entries.size()) {
                    byte[] nextRoot = MerkleProofs.root(entries.subList(0, size + 1));
                    assertFalse(
                            MerkleProofs.verifyInclusion(entries.get(index), index, size + 1, path, nextRoot),
                            "a proof for one tree does not verify against another tree's root");
                }
                if (!path.isEmpty()) {
                    List<byte[]> tampered = new ArrayList<>(path);
                    byte[] first = tampered.get(0).clone();
                    first[0] ^= 1;
                    tampered.set(0, first);
                    assertFalse(MerkleProofs.verifyInclusion(entries.get(index), index, size, tampered, root));
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MerkleProofs.inclusionProof(entries, 5, 5));
    }

    @Test
    void consistencyProofsVerifyAndRejectForks() {
        List<byte[]> entries = entries(33);
        List<byte[]> fork = new ArrayList<>(entries);
        fork.set(2, entries(40).get(39));
        for (int newSize = 1; newSize <= entries.size(); newSize++) {
            byte[] newRoot = MerkleProofs.root(entries.subList(0, newSize));
            for (int oldSize = 0; oldSize <= newSize; oldSize++) {
                byte[] oldRoot = MerkleProofs.root(entries.subList(0, oldSize));
                List<byte[]> proof = MerkleProofs.consistencyProof(entries, oldSize, newSize);
                assertTrue(
                        MerkleProofs.verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof),
                        oldSize + "->" + newSize);
                if (oldSize >= 3 && oldSize < newSize) {
                    byte[] forkedOld = MerkleProofs.root(fork.subList(0, oldSize));
                    assertFalse(
                            MerkleProofs.verifyConsistency(oldSize, newSize, forkedOld, newRoot, proof),
                            "a history that differs at version 3 is not a prefix");
                }
            }
        }
    }
}
