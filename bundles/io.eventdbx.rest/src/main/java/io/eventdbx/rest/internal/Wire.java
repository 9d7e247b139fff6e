package io.eventdbx.rest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eventdbx.api.AggregateState;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.VerifyResult;
import java.io.IOException;

/** The JSON of the API, with the seed's snake_case names; payloads and state are embedded as JSON. */
final class Wire {

    private final ObjectMapper json;

    Wire(ObjectMapper json) {
        this.json = json;
    }

    private JsonNode embedded(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return json.getNodeFactory().textNode(text);
        }
    }

    ObjectNode event(EventRecord e) {
        ObjectNode n = json.createObjectNode();
        n.put("aggregate_type", e.aggregateType());
        n.put("aggregate_id", e.aggregateId());
        n.put("event_type", e.eventType());
        n.set("payload", embedded(e.payloadJson()));
        ObjectNode metadata = n.putObject("metadata");
        metadata.put("event_id", e.eventId());
        metadata.put("created_at", e.createdAt());
        if (e.issuedBy() != null) {
            metadata.putObject("issued_by")
                    .put("group", e.issuedBy().group())
                    .put("user", e.issuedBy().user());
        } else {
            metadata.putNull("issued_by");
        }
        metadata.put("note", e.note());
        if (e.schemaVersion() != null) {
            metadata.put("schema_version", e.schemaVersion());
        }
        n.put("version", e.version());
        n.put("position", e.position());
        n.put("hash", e.hash());
        n.put("merkle_root", e.merkleRoot());
        return n;
    }

    ObjectNode state(AggregateState s) {
        ObjectNode n = json.createObjectNode();
        n.put("aggregate_type", s.aggregateType());
        n.put("aggregate_id", s.aggregateId());
        n.put("version", s.version());
        n.set("state", embedded(s.stateJson()));
        n.put("merkle_root", s.merkleRoot());
        n.put("archived", s.archived());
        n.put("created_at", s.createdAt());
        n.put("updated_at", s.updatedAt());
        return n;
    }

    ObjectNode verify(VerifyResult v) {
        ObjectNode n = json.createObjectNode();
        n.put("aggregate_type", v.aggregateType());
        n.put("aggregate_id", v.aggregateId());
        n.put("ok", v.ok());
        n.put("version", v.version());
        n.put("merkle_root", v.merkleRoot());
        if (!v.ok()) {
            n.put("first_bad_version", v.firstBadVersion());
            n.put("problem", v.problem());
        }
        return n;
    }

    ObjectNode error(String code, String message) {
        ObjectNode n = json.createObjectNode();
        n.put("code", code);
        n.put("message", message);
        return n;
    }
}
