package io.eventdbx.api;

import java.util.List;

/**
 * Proof that an aggregate's history at {@code fromVersion} is a prefix of its history at {@code toVersion}.
 *
 * @param aggregateType the type
 * @param aggregateId the id
 * @param fromVersion the earlier size
 * @param toVersion the later size
 * @param fromRoot the earlier root, hex
 * @param toRoot the later root, hex
 * @param proof the proof, hex
 */
public record ConsistencyProof(
        String aggregateType,
        String aggregateId,
        long fromVersion,
        long toVersion,
        String fromRoot,
        String toRoot,
        List<String> proof) {}
