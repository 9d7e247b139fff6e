package io.eventdbx.schema.api;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A schema as typed values: what {@link SchemaAdmin} reads and changes.
 *
 * @param name the aggregate type it governs
 * @param version its version, 1 on creation and one more with each change
 * @param locked whether the aggregate type takes no new events
 * @param snapshotThreshold take a snapshot every this many events of an aggregate, or null for the default
 * @param events the declared events by name
 * @param fields the field rules by field name
 * @param updatedAt when this version was made (RFC 3339)
 * @since 1.2
 */
public record SchemaInfo(
        String name,
        long version,
        boolean locked,
        Long snapshotThreshold,
        SortedMap<String, EventInfo> events,
        SortedMap<String, FieldInfo> fields,
        String updatedAt) {

    /** Keeps unmodifiable sorted copies of the maps. */
    public SchemaInfo {
        events = Collections.unmodifiableSortedMap(new TreeMap<>(events));
        fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    }
}
