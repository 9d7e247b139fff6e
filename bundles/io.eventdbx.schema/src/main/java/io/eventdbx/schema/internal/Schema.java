package io.eventdbx.schema.internal;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The schema of one aggregate type, as of one version. Immutable: every change makes a new version.
 *
 * @param name the aggregate type
 * @param version 1 for the first, +1 for each change
 * @param locked whether the aggregate type accepts no new events
 * @param snapshotThreshold take a snapshot every N events of its aggregates, or null
 * @param events the declared events
 * @param fields rules per field
 * @param updatedAt when this version was made, RFC 3339
 */
record Schema(
        String name,
        long version,
        boolean locked,
        Long snapshotThreshold,
        SortedMap<String, EventRule> events,
        SortedMap<String, FieldRule> fields,
        String updatedAt) {

    Schema {
        events = Collections.unmodifiableSortedMap(new TreeMap<>(events));
        fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    }

    /** A change to a schema: what the command does, before the version and time are set. */
    interface Change {
        Schema apply(Schema current);
    }

    Schema with(
            boolean newLocked,
            Long newThreshold,
            SortedMap<String, EventRule> newEvents,
            SortedMap<String, FieldRule> newFields) {
        return new Schema(name, version, newLocked, newThreshold, newEvents, newFields, updatedAt);
    }

    Schema withEvents(SortedMap<String, EventRule> newEvents) {
        return with(locked, snapshotThreshold, newEvents, fields);
    }

    Schema withFields(SortedMap<String, FieldRule> newFields) {
        return with(locked, snapshotThreshold, events, newFields);
    }

    Schema next(String now) {
        return new Schema(name, version + 1, locked, snapshotThreshold, events, fields, now);
    }
}
