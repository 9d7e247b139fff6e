package io.eventdbx.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.EventStoreException;
import io.eventdbx.api.EventStoreException.Code;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.integrity.CanonicalJson;
import io.eventdbx.integrity.Hex;
import io.eventdbx.integrity.MerkleFrontier;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The stored forms of heads and events (JSON, payload and state kept as their exact canonical text), and the
 * state fold. Thread-safe.
 */
final class Codec {

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    byte[] encodeHead(Head head) {
        ObjectNode node = mapper.createObjectNode();
        node.put("version", head.version());
        node.put("frontier", Hex.of(head.frontier().toBytes()));
        node.put("state_json", head.stateJson());
        node.put("archived", head.archived());
        node.put("created_at", head.createdAt());
        node.put("updated_at", head.updatedAt());
        if (head.comment() != null) {
            node.put("comment", head.comment());
        }
        return bytes(node);
    }

    Head decodeHead(String type, String id, byte[] bytes) {
        JsonNode node = tree(bytes, "head of " + type + "/" + id);
        try {
            return new Head(
                    type,
                    id,
                    node.path("version").asLong(),
                    MerkleFrontier.fromBytes(Hex.parse(node.path("frontier").asText())),
                    node.path("state_json").asText(),
                    node.path("archived").asBoolean(),
                    node.path("created_at").asText(),
                    node.path("updated_at").asText(),
                    node.hasNonNull("comment") ? node.get("comment").asText() : null);
        } catch (IllegalArgumentException e) {
            throw new EventStoreException(
                    Code.INTEGRITY, "the stored head of " + type + "/" + id + " is damaged: " + e.getMessage());
        }
    }

    byte[] encodeEvent(EventRecord event) {
        ObjectNode node = mapper.createObjectNode();
        node.put("event_type", event.eventType());
        node.put("payload_json", event.payloadJson());
        node.put("event_id", event.eventId());
        node.put("created_at", event.createdAt());
        if (event.issuedBy() != null) {
            node.putObject("issued_by")
                    .put("group", event.issuedBy().group())
                    .put("user", event.issuedBy().user());
        }
        if (event.note() != null) {
            node.put("note", event.note());
        }
        if (event.schemaVersion() != null) {
            node.put("schema_version", event.schemaVersion());
        }
        node.put("version", event.version());
        node.put("position", event.position());
        node.put("hash", event.hash());
        node.put("merkle_root", event.merkleRoot());
        return bytes(node);
    }

    EventRecord decodeEvent(String type, String id, byte[] bytes) {
        JsonNode node = tree(bytes, "event of " + type + "/" + id);
        JsonNode issued = node.get("issued_by");
        return new EventRecord(
                type,
                id,
                node.path("event_type").asText(),
                node.path("payload_json").asText(),
                node.path("event_id").asText(),
                node.path("created_at").asText(),
                issued == null
                        ? null
                        : new IssuedBy(
                                issued.path("group").asText(),
                                issued.path("user").asText()),
                node.hasNonNull("note") ? node.get("note").asText() : null,
                node.hasNonNull("schema_version") ? node.get("schema_version").asLong() : null,
                node.path("version").asLong(),
                node.path("position").asLong(),
                node.path("hash").asText(),
                node.path("merkle_root").asText());
    }

    /**
     * Parses a payload: it must be a JSON object.
     *
     * @return the canonical text
     */
    String canonicalPayload(String json) {
        String canonical;
        try {
            canonical = CanonicalJson.canonicalize(json);
        } catch (IllegalArgumentException e) {
            throw new EventStoreException(Code.INVALID_ARGUMENT, "payload is not valid JSON: " + e.getMessage());
        }
        if (!canonical.startsWith("{")) {
            throw new EventStoreException(Code.INVALID_ARGUMENT, "payload must be a JSON object");
        }
        return canonical;
    }

    /**
     * Folds a payload into a state: every top-level key of the payload replaces the state's; scalars become
     * strings (numbers in canonical form, booleans as true/false), null stays null, objects and arrays stay
     * structured.
     */
    String fold(String stateJson, String payloadJson) {
        ObjectNode state = (ObjectNode) tree(stateJson, "state");
        JsonNode payload = tree(payloadJson, "payload");
        Iterator<Map.Entry<String, JsonNode>> fields = payload.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isTextual() || value.isContainerNode() || value.isNull()) {
                state.set(field.getKey(), value);
            } else {
                state.set(field.getKey(), TextNode.valueOf(CanonicalJson.canonicalize(value.toString())));
            }
        }
        return CanonicalJson.canonicalize(text(state));
    }

    /** A JSON text as plain Java values (maps, lists, strings, numbers), for command output. */
    Object toJava(String json) {
        try {
            return mapper.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    private JsonNode tree(String json, String what) {
        try {
            return mapper.readTree(json);
        } catch (JsonProcessingException e) {
            throw new EventStoreException(Code.INTEGRITY, "the stored " + what + " is not valid JSON");
        }
    }

    private JsonNode tree(byte[] bytes, String what) {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            throw new EventStoreException(Code.INTEGRITY, "the stored " + what + " is damaged (not valid JSON)");
        }
    }

    private String text(JsonNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private byte[] bytes(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
