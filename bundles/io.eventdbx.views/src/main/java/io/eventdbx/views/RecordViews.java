package io.eventdbx.views;

import io.eventdbx.api.AggregateState;
import io.eventdbx.api.EventRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records as the seed's snake_case JSON shapes: maps in a stable key order whose payload and state members are
 * embedded as JSON values (objects, arrays, strings, exact numbers), ready for any JSON writer. Thread-safe.
 */
public final class RecordViews {

    private final com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final boolean raw;

    /** Creates the views, with payloads and states as plain Java values. */
    public RecordViews() {
        this(false);
    }

    /**
     * Creates the views.
     *
     * @param raw whether payloads and states stay the stored canonical JSON text, wrapped so that a Jackson writer
     *     copies it as is ({@code com.fasterxml.jackson.databind.util.RawValue}): for network surfaces that write
     *     the views with Jackson and need not pay for parsing them; false for plain Java values
     */
    public RecordViews(boolean raw) {
        this.raw = raw;
    }

    /**
     * An event record: type, id, event type, payload, {@code metadata}, version, global position, hash, root.
     *
     * @param e the record
     * @return its view
     */
    public Map<String, Object> event(EventRecord e) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("aggregate_type", e.aggregateType());
        view.put("aggregate_id", e.aggregateId());
        view.put("event_type", e.eventType());
        view.put("payload", embed(e.payloadJson()));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("event_id", e.eventId());
        metadata.put("created_at", e.createdAt());
        metadata.put(
                "issued_by",
                e.issuedBy() == null
                        ? null
                        : Map.of(
                                "group",
                                e.issuedBy().group(),
                                "user",
                                e.issuedBy().user()));
        if (e.note() != null) {
            metadata.put("note", e.note());
        }
        if (e.schemaVersion() != null) {
            metadata.put("schema_version", e.schemaVersion());
        }
        view.put("metadata", metadata);
        view.put("version", e.version());
        view.put("position", e.position());
        view.put("hash", e.hash());
        view.put("merkle_root", e.merkleRoot());
        return view;
    }

    /**
     * An aggregate's state with its summary, times and archive comment.
     *
     * @param s the state
     * @return its view
     */
    public Map<String, Object> state(AggregateState s) {
        Map<String, Object> view = summary(s);
        view.put("state", embed(s.stateJson()));
        view.put("created_at", s.createdAt());
        view.put("updated_at", s.updatedAt());
        if (s.comment() != null) {
            view.put("comment", s.comment());
        }
        return view;
    }

    /**
     * A staged event with its queue sequence.
     *
     * @param staged the staged event
     * @return its view
     */
    public Map<String, Object> staged(io.eventdbx.api.StagedEvent staged) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sequence", staged.sequence());
        view.put("aggregate_type", staged.request().aggregateType());
        view.put("aggregate_id", staged.request().aggregateId());
        view.put("event_type", staged.request().eventType());
        view.put("payload", embed(staged.request().payloadJson()));
        view.put("expected_version", staged.request().expectedVersion());
        view.put("event_id", staged.request().eventId());
        view.put("note", staged.request().note());
        return view;
    }

    /**
     * The report of verify; {@code first_bad_version} and {@code problem} only when it failed.
     *
     * @param result the result
     * @return its view
     */
    public Map<String, Object> verify(io.eventdbx.api.VerifyResult result) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("aggregate_type", result.aggregateType());
        view.put("aggregate_id", result.aggregateId());
        view.put("ok", result.ok());
        view.put("version", result.version());
        view.put("merkle_root", result.merkleRoot());
        if (!result.ok()) {
            view.put("first_bad_version", result.firstBadVersion());
            view.put("problem", result.problem());
        }
        return view;
    }

    /**
     * An inclusion proof in the format of {@code docs/integrity.md}.
     *
     * @param proof the proof
     * @return its view
     */
    public Map<String, Object> inclusion(io.eventdbx.api.InclusionProof proof) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("aggregate_type", proof.aggregateType());
        view.put("aggregate_id", proof.aggregateId());
        view.put("version", proof.version());
        view.put("event_hash", proof.eventHash());
        view.put("tree_size", proof.treeSize());
        view.put("merkle_root", proof.merkleRoot());
        view.put("path", proof.path());
        return view;
    }

    /**
     * A consistency proof in the format of {@code docs/integrity.md}.
     *
     * @param proof the proof
     * @return its view
     */
    public Map<String, Object> consistency(io.eventdbx.api.ConsistencyProof proof) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("aggregate_type", proof.aggregateType());
        view.put("aggregate_id", proof.aggregateId());
        view.put("from_version", proof.fromVersion());
        view.put("to_version", proof.toVersion());
        view.put("from_root", proof.fromRoot());
        view.put("to_root", proof.toRoot());
        view.put("proof", proof.proof());
        return view;
    }

    /**
     * A snapshot with its state and comment.
     *
     * @param snapshot the snapshot
     * @return its view
     */
    public Map<String, Object> snapshot(io.eventdbx.api.SnapshotRecord snapshot) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("aggregate_type", snapshot.aggregateType());
        view.put("aggregate_id", snapshot.aggregateId());
        view.put("version", snapshot.version());
        view.put("state", embed(snapshot.stateJson()));
        view.put("merkle_root", snapshot.merkleRoot());
        view.put("created_at", snapshot.createdAt());
        view.put("comment", snapshot.comment());
        return view;
    }

    /**
     * The summary of an aggregate for listings: type, id, version, Merkle root, archived.
     *
     * @param s the state
     * @return its view
     */
    public Map<String, Object> summary(AggregateState s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("aggregate_type", s.aggregateType());
        view.put("aggregate_id", s.aggregateId());
        view.put("version", s.version());
        view.put("merkle_root", s.merkleRoot());
        view.put("archived", s.archived());
        return view;
    }

    /**
     * A JSON text as plain Java values (maps, lists, strings, exact numbers); a text that is not JSON stays a
     * string.
     *
     * @param json the JSON text
     * @return its value
     */
    private Object embed(String json) {
        return raw ? new com.fasterxml.jackson.databind.util.RawValue(json) : toJava(json);
    }

    public Object toJava(String json) {
        try {
            return mapper.readValue(json, Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return json;
        }
    }
}
