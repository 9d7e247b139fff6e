package io.eventdbx.schema.api;

import java.util.SortedMap;
import org.osgi.annotation.versioning.ProviderType;

/** Admits events under the restriction mode ({@code off}, {@code default}, {@code strict}). Thread-safe. */
@ProviderType
public interface SchemaValidator {

    /**
     * Checks an event against the current schema of its aggregate type: the type is not locked, the event is
     * declared, its fields are allowed and satisfy their rules. State-dependent rules (locked fields) are left to
     * the caller, which has the state: see {@link Admission#lockedFields()}.
     *
     * @param aggregateType the aggregate type (the schema's name)
     * @param eventType the event type
     * @param payload the payload's top-level members: name to canonical JSON value text
     * @return the admission; {@link Admission#NONE} when no schema applies
     * @throws SchemaViolation if the event is refused
     */
    Admission admit(String aggregateType, String eventType, SortedMap<String, String> payload);
}
