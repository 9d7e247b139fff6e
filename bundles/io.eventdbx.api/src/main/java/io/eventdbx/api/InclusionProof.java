package io.eventdbx.api;

import java.util.List;

/**
 * Proof that an event is in an aggregate's Merkle tree (see {@code docs/integrity.md}).
 *
 * @param aggregateType the type
 * @param aggregateId the id
 * @param version the event's version (leaf {@code version - 1})
 * @param eventHash the event's hash, hex
 * @param treeSize the size of the tree the proof is for
 * @param merkleRoot that tree's root, hex
 * @param path the audit path, bottom up, hex
 */
public record InclusionProof(
        String aggregateType,
        String aggregateId,
        long version,
        String eventHash,
        long treeSize,
        String merkleRoot,
        List<String> path) {}
