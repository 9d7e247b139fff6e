package io.eventdbx.api;

/**
 * An aggregate's state at a version: the fold of its event payloads (top-level keys, last write wins;
 * scalars as strings, objects and arrays as they are).
 *
 * @param aggregateType the type
 * @param aggregateId the id
 * @param version the version (0: no events yet)
 * @param stateJson the state, canonical JSON object
 * @param merkleRoot the Merkle root at this version, hex
 * @param archived whether the aggregate is archived
 * @param createdAt when the aggregate was created, RFC 3339 UTC
 * @param updatedAt when it last changed, RFC 3339 UTC
 * @param comment the comment of the last archive or restore, or null
 */
public record AggregateState(
        String aggregateType,
        String aggregateId,
        long version,
        String stateJson,
        String merkleRoot,
        boolean archived,
        String createdAt,
        String updatedAt,
        String comment) {}
