package io.eventdbx.api;

/**
 * The outcome of recomputing an aggregate's hashes and Merkle root from its stored events.
 *
 * @param aggregateType the type
 * @param aggregateId the id
 * @param version the number of events checked
 * @param merkleRoot the recomputed root, hex
 * @param ok whether every event hash, every per-event root and the head's root matched
 * @param firstBadVersion the first version that did not match, or null when ok
 * @param problem what did not match, or null when ok
 */
public record VerifyResult(
        String aggregateType,
        String aggregateId,
        long version,
        String merkleRoot,
        boolean ok,
        Long firstBadVersion,
        String problem) {}
