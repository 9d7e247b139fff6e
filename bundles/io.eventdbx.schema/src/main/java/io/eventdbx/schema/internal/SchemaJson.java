package io.eventdbx.schema.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Schemas as JSON: the stored form and the {@code schema show --json} form are the same. */
final class SchemaJson {

    private final ObjectMapper json = new ObjectMapper();

    Map<String, Object> view(Schema s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("version", s.version());
        out.put("locked", s.locked());
        out.put("snapshot_threshold", s.snapshotThreshold());
        Map<String, Object> events = new LinkedHashMap<>();
        s.events().forEach((name, e) -> {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("note", e.note());
            event.put("fields", e.fields());
            events.put(name, event);
        });
        out.put("events", events);
        Map<String, Object> fields = new LinkedHashMap<>();
        s.fields().forEach((name, f) -> {
            Map<String, Object> field = new LinkedHashMap<>();
            field.put("type", f.type());
            field.put("required", f.required());
            field.put("regex", f.regex());
            field.put(
                    "length",
                    f.minLength() == null && f.maxLength() == null ? null : Rules.bounds(f.minLength(), f.maxLength()));
            field.put("range", f.min() == null && f.max() == null ? null : Rules.bounds(f.min(), f.max()));
            field.put("enum", f.values().isEmpty() ? null : f.values());
            field.put("locked", f.locked());
            fields.put(name, field);
        });
        out.put("fields", fields);
        out.put("updated_at", s.updatedAt());
        return out;
    }

    byte[] encode(Schema s) {
        try {
            return json.writeValueAsBytes(view(s));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode schema " + s.name(), e);
        }
    }

    Schema decode(byte[] bytes) throws IOException {
        JsonNode n = json.readTree(bytes);
        TreeMap<String, EventRule> events = new TreeMap<>();
        n.path("events")
                .fields()
                .forEachRemaining(e -> events.put(
                        e.getKey(),
                        new EventRule(
                                text(e.getValue().path("note")),
                                strings(e.getValue().path("fields")))));
        TreeMap<String, FieldRule> fields = new TreeMap<>();
        n.path("fields").fields().forEachRemaining(e -> {
            JsonNode f = e.getValue();
            String[] length = split(text(f.path("length")));
            String[] range = split(text(f.path("range")));
            fields.put(
                    e.getKey(),
                    new FieldRule(
                            text(f.path("type")),
                            f.path("required").asBoolean(),
                            text(f.path("regex")),
                            length[0] == null ? null : Long.valueOf(length[0]),
                            length[1] == null ? null : Long.valueOf(length[1]),
                            range[0] == null ? null : new BigDecimal(range[0]),
                            range[1] == null ? null : new BigDecimal(range[1]),
                            strings(f.path("enum")),
                            f.path("locked").asBoolean()));
        });
        return new Schema(
                n.path("name").asText(),
                n.path("version").asLong(),
                n.path("locked").asBoolean(),
                n.path("snapshot_threshold").isNumber()
                        ? n.path("snapshot_threshold").asLong()
                        : null,
                events,
                fields,
                text(n.path("updated_at")));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asText();
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** {@code "a..b"} into {a, b}, either side null when empty. */
    static String[] split(String bounds) {
        if (bounds == null) {
            return new String[2];
        }
        int at = bounds.indexOf("..");
        if (at < 0) {
            throw new IllegalArgumentException("expected MIN..MAX (either side may be empty), got '" + bounds + "'");
        }
        String min = bounds.substring(0, at).strip();
        String max = bounds.substring(at + 2).strip();
        return new String[] {min.isEmpty() ? null : min, max.isEmpty() ? null : max};
    }

    ObjectNode empty() {
        return json.createObjectNode();
    }
}
