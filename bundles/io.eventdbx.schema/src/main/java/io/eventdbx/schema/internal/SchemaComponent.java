package io.eventdbx.schema.internal;

import io.eventdbx.schema.api.Admission;
import io.eventdbx.schema.api.EventInfo;
import io.eventdbx.schema.api.FieldInfo;
import io.eventdbx.schema.api.SchemaAdmin;
import io.eventdbx.schema.api.SchemaCatalog;
import io.eventdbx.schema.api.SchemaInfo;
import io.eventdbx.schema.api.SchemaValidator;
import io.eventdbx.store.api.StorageEngine;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
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
        service = {SchemaValidator.class, SchemaCatalog.class, SchemaAdmin.class, SchemaComponent.class},
        configurationPid = "io.eventdbx.schema",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class SchemaComponent implements SchemaValidator, SchemaCatalog, SchemaAdmin {

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

    // ------------------------------------------------------------------ typed administration

    @Override
    public List<SchemaInfo> list() {
        return registry.list().stream().map(SchemaComponent::info).toList();
    }

    @Override
    public Optional<SchemaInfo> get(String name) {
        return registry.get(name).map(SchemaComponent::info);
    }

    @Override
    public SchemaInfo create(String name, List<String> events, Long snapshotThreshold) {
        return info(registry.create(name, events, snapshotThreshold));
    }

    @Override
    public SchemaInfo addEvents(String name, List<String> events) {
        return info(registry.change(name, s -> {
            TreeMap<String, EventRule> all = new TreeMap<>(s.events());
            for (String event : events) {
                all.putIfAbsent(SchemaRegistry.checkEvent(event), new EventRule(null, List.of()));
            }
            return s.withEvents(all);
        }));
    }

    @Override
    public SchemaInfo removeEvent(String name, String event) {
        return info(registry.removeEvent(name, event));
    }

    @Override
    public SchemaInfo setEvent(String name, String event, EventInfo rule) {
        return info(registry.change(name, s -> {
            if (!s.events().containsKey(event)) {
                throw new IllegalArgumentException("schema " + name + " has no event " + event);
            }
            TreeMap<String, EventRule> all = new TreeMap<>(s.events());
            all.put(event, new EventRule(rule.note(), rule.fields()));
            return s.withEvents(all);
        }));
    }

    @Override
    public SchemaInfo setField(String name, String field, FieldInfo rule) {
        SchemaRegistry.checkEvent(field); // a field name follows the same rule
        if (rule != null) {
            if (rule.type() != null && !FieldRule.TYPES.contains(rule.type())) {
                throw new IllegalArgumentException(
                        "unknown type '" + rule.type() + "'; known: " + String.join(", ", FieldRule.TYPES));
            }
            if (rule.regex() != null) {
                Rules.checkRegex(rule.regex());
            }
        }
        return info(registry.change(name, s -> {
            TreeMap<String, FieldRule> all = new TreeMap<>(s.fields());
            if (rule == null) {
                all.remove(field);
            } else {
                all.put(
                        field,
                        new FieldRule(
                                rule.type(),
                                rule.required(),
                                rule.regex(),
                                rule.minLength(),
                                rule.maxLength(),
                                rule.min(),
                                rule.max(),
                                rule.values(),
                                rule.locked()));
            }
            return s.withFields(all);
        }));
    }

    @Override
    public SchemaInfo alter(String name, boolean locked, Long snapshotThreshold) {
        if (snapshotThreshold != null && snapshotThreshold < 1) {
            throw new IllegalArgumentException("a snapshot threshold is 1 or more events");
        }
        return info(registry.change(name, s -> s.with(locked, snapshotThreshold, s.events(), s.fields())));
    }

    private static SchemaInfo info(Schema s) {
        TreeMap<String, EventInfo> events = new TreeMap<>();
        s.events().forEach((name, rule) -> events.put(name, new EventInfo(rule.note(), rule.fields())));
        TreeMap<String, FieldInfo> fields = new TreeMap<>();
        s.fields()
                .forEach((name, r) -> fields.put(
                        name,
                        new FieldInfo(
                                r.type(),
                                r.required(),
                                r.regex(),
                                r.minLength(),
                                r.maxLength(),
                                r.min(),
                                r.max(),
                                r.values(),
                                r.locked())));
        return new SchemaInfo(s.name(), s.version(), s.locked(), s.snapshotThreshold(), events, fields, s.updatedAt());
    }
}
