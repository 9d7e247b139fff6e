package io.eventdbx.emitter.dispatch.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eventdbx.api.EventRecord;
import io.eventdbx.emitter.api.Envelope;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** Makes the envelope of a committed event: the seed's {@code EventRecord} JSON, compact, fields in its order. */
final class Envelopes {

    private final JsonFactory factory = new JsonFactory();

    Envelope of(EventRecord event) {
        StringWriter text = new StringWriter(256 + event.payloadJson().length());
        try (JsonGenerator g = factory.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("aggregate_type", event.aggregateType());
            g.writeStringField("aggregate_id", event.aggregateId());
            g.writeStringField("event_type", event.eventType());
            g.writeFieldName("payload");
            g.writeRawValue(event.payloadJson()); // canonical JSON already
            g.writeObjectFieldStart("metadata");
            g.writeStringField("event_id", event.eventId());
            g.writeStringField("created_at", event.createdAt());
            g.writeObjectFieldStart("issued_by");
            if (event.issuedBy() != null) {
                g.writeStringField("group", event.issuedBy().group());
                g.writeStringField("user", event.issuedBy().user());
            }
            g.writeEndObject();
            if (event.note() != null) {
                g.writeStringField("note", event.note());
            }
            g.writeEndObject();
            g.writeNumberField("version", event.version());
            g.writeStringField("hash", event.hash());
            g.writeStringField("merkle_root", event.merkleRoot());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return new Envelope(
                event.position(),
                event.aggregateType(),
                event.aggregateId(),
                event.eventType(),
                event.eventId(),
                event.version(),
                text.toString());
    }
}
