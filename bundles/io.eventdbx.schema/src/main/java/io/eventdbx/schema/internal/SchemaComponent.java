package io.eventdbx.schema.internal;

import io.eventdbx.schema.api.Admission;
import io.eventdbx.schema.api.SchemaCatalog;
import io.eventdbx.schema.api.SchemaValidator;
import io.eventdbx.store.api.StorageEngine;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;

/**
 * The schema registry as a service, with the restriction mode and default snapshot threshold from the runtime
 * configuration; a changed mode ({@code dbx config --restrict}) applies at once.
 */
@Component(
        service = {SchemaValidator.class, SchemaCatalog.class, SchemaComponent.class},
        configurationPid = "io.eventdbx.schema",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class SchemaComponent implements SchemaValidator, SchemaCatalog {

    private final SchemaRegistry registry;

    /**
     * Loads the schemas.
     *
     * @param storage where they are kept
     * @param config the runtime configuration ({@code restrict}, {@code snapshot_threshold})
     * @throws IOException if they cannot be read
     */
    @Activate
    public SchemaComponent(@Reference StorageEngine storage, Map<String, Object> config) throws IOException {
        this.registry =
                new SchemaRegistry(storage, SchemaRegistry.Mode.parse(config.get("restrict")), threshold(config));
    }

    @Modified
    void modified(Map<String, Object> config) {
        registry.configure(SchemaRegistry.Mode.parse(config.get("restrict")), threshold(config));
    }

    private static Long threshold(Map<String, Object> config) {
        return config.get("snapshot_threshold") instanceof Number n ? n.longValue() : null;
    }

    SchemaRegistry registry() {
        return registry;
    }

    @Override
    public Admission admit(String aggregateType, String eventType, SortedMap<String, String> payload) {
        return registry.admit(aggregateType, eventType, payload);
    }

    @Override
    public List<Map<String, Object>> schemas() {
        return registry.list().stream().map(registry::view).toList();
    }

    @Override
    public Optional<Map<String, Object>> schema(String name) {
        return registry.get(name).map(registry::view);
    }
}
