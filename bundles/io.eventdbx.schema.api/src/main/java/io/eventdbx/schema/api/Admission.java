package io.eventdbx.schema.api;

import java.util.Set;

/**
 * An event admitted by a schema.
 *
 * @param schemaVersion the version of the schema that accepted it, recorded in the event; null if no schema applied
 * @param lockedFields fields that cannot change once set: the store refuses a different value for them
 * @param snapshotThreshold the schema's snapshot interval for its aggregates, or null for the configured one
 */
public record Admission(Long schemaVersion, Set<String> lockedFields, Long snapshotThreshold) {

    /** No schema applied. */
    public static final Admission NONE = new Admission(null, Set.of(), null);

    /** Copies the set. */
    public Admission {
        lockedFields = Set.copyOf(lockedFields);
    }
}
