package io.eventdbx.schema.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the current schemas, for surfaces that show them. A schema is the map of {@code dbx schema show --json}:
 * {@code name}, {@code version}, {@code locked}, {@code snapshot_threshold}, {@code events} (each with its
 * {@code note} and allowed {@code fields}), {@code fields} (each field's rules) and {@code updated_at}. Thread-safe.
 */
@ProviderType
public interface SchemaCatalog {

    /**
     * Every current schema, by name.
     *
     * @return the schemas
     */
    List<Map<String, Object>> schemas();

    /**
     * One schema.
     *
     * @param name the schema's name (its aggregate type)
     * @return the schema, or empty if there is none by that name
     */
    Optional<Map<String, Object>> schema(String name);
}
