package io.eventdbx.emitter.dispatch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventdbx.api.EventRecord;
import io.eventdbx.api.IssuedBy;
import io.eventdbx.emitter.api.Envelope;
import org.junit.jupiter.api.Test;

class EnvelopesTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theEnvelopeIsTheSeedsEventRecordAndEscapesWhatNeedsIt() throws Exception {
        String note = "line\nbreak \"quoted\" back\\slash tab\t bell\u0007 é ✓";
        EventRecord event = new EventRecord(
                "patient",
                "p-001",
                "patient-updated",
                "{\"comment\":\"Archived via API\",\"status\":\"inactive\"}",
                "45c3013e-9b95-4ed0-9af9-1a465f81d3cf",
                "2024-12-01T17:22:43.512345Z",
                new IssuedBy("admin", "jane \"j\" doe"),
                note,
                3L,
                5,
                77,
                "ca".repeat(32),
                "de".repeat(32));
        Envelope envelope = new Envelopes().of(event);
        assertEquals(
                "{\"aggregate_type\":\"patient\",\"aggregate_id\":\"p-001\",\"event_type\":\"patient-updated\","
                        + "\"payload\":{\"comment\":\"Archived via API\",\"status\":\"inactive\"},\"metadata\":{"
                        + "\"event_id\":\"45c3013e-9b95-4ed0-9af9-1a465f81d3cf\",\"created_at\":"
                        + "\"2024-12-01T17:22:43.512345Z\",\"issued_by\":{\"group\":\"admin\",\"user\":"
                        + "\"jane \\\"j\\\" doe\"},\"note\":\"line\\nbreak \\\"quoted\\\" back\\\\slash tab\\t bell"
                        + "\\u0007 é ✓\"},\"version\":5,\"hash\":\"" + "ca".repeat(32) + "\",\"merkle_root\":\""
                        + "de".repeat(32) + "\"}",
                envelope.json());
        JsonNode parsed = json.readTree(envelope.json());
        assertEquals(note, parsed.path("metadata").path("note").asText(), "a JSON parser reads the note back");
        assertEquals(77, envelope.position());
        EventRecord noNote = new EventRecord("t", "i", "e", "{}", "id", "now", null, null, null, 1, 1, "h", "r");
        assertEquals(
                "{\"aggregate_type\":\"t\",\"aggregate_id\":\"i\",\"event_type\":\"e\",\"payload\":{},\"metadata\":{"
                        + "\"event_id\":\"id\",\"created_at\":\"now\",\"issued_by\":{}},\"version\":1,\"hash\":\"h\","
                        + "\"merkle_root\":\"r\"}",
                new Envelopes().of(noNote).json());
    }
}
