package io.eventdbx.schema.api;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Schema administration with typed values, for every surface that offers it (the launcher today; the network surfaces
 * through the access door later). Each change makes a new version of the schema, written before it applies. Bad
 * input (an unknown schema, an invalid name, type, regex or bound, the last event) is an {@link
 * IllegalArgumentException} that names it. Thread-safe.
 *
 * @since 1.2
 */
@ProviderType
public interface SchemaAdmin {

    /**
     * Every schema, by name.
     *
     * @return the schemas
     */
    List<SchemaInfo> list();

    /**
     * One schema.
     *
     * @param name its name (the aggregate type)
     * @return the schema, or empty
     */
    Optional<SchemaInfo> get(String name);

    /**
     * Creates a schema.
     *
     * @param name the aggregate type it governs
     * @param events the events it declares (at least one)
     * @param snapshotThreshold a snapshot every this many events, or null for the configured default
     * @return the schema, version 1
     */
    SchemaInfo create(String name, List<String> events, Long snapshotThreshold);

    /**
     * Declares more events.
     *
     * @param name the schema
     * @param events the events to add
     * @return the new version
     */
    SchemaInfo addEvents(String name, List<String> events);

    /**
     * Removes a declared event (not the last one).
     *
     * @param name the schema
     * @param event the event
     * @return the new version
     */
    SchemaInfo removeEvent(String name, String event);

    /**
     * Sets what one event is: its note and the fields it may carry.
     *
     * @param name the schema
     * @param event a declared event
     * @param rule its note and fields
     * @return the new version
     */
    SchemaInfo setEvent(String name, String event, EventInfo rule);

    /**
     * Sets or clears the rules of a field.
     *
     * @param name the schema
     * @param field the field
     * @param rule its rules, or null to remove them
     * @return the new version
     */
    SchemaInfo setField(String name, String field, FieldInfo rule);

    /**
     * Locks or unlocks the aggregate type and sets its snapshot interval.
     *
     * @param name the schema
     * @param locked whether it takes no new events
     * @param snapshotThreshold a snapshot every this many events, or null for the configured default
     * @return the new version
     */
    SchemaInfo alter(String name, boolean locked, Long snapshotThreshold);
}
