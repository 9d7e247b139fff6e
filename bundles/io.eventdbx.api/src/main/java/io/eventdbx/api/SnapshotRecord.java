package io.eventdbx.api;

/**
 * An aggregate's state recorded at a version, so that reads of historical states start from the nearest
 * snapshot instead of version 1.
 *
 * @param aggregateType the type
 * @param aggregateId the id
 * @param version the version it records
 * @param stateJson the state at that version, canonical JSON
 * @param merkleRoot the Merkle root at that version, hex
 * @param createdAt when it was taken, RFC 3339 UTC
 * @param comment why, or null (automatic snapshots say so)
 */
public record SnapshotRecord(
        String aggregateType,
        String aggregateId,
        long version,
        String stateJson,
        String merkleRoot,
        String createdAt,
        String comment) {}
