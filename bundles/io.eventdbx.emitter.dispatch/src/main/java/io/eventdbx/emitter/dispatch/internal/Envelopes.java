package io.eventdbx.emitter.dispatch.internal;

import io.eventdbx.api.EventRecord;
import io.eventdbx.emitter.api.Envelope;

/**
 * Makes the envelope of a committed event: the seed's {@code EventRecord} JSON, compact, fields in its order. Written
 * by hand into one {@code StringBuilder}: identifiers, times and hashes never need escaping (their character sets are
 * checked at the store's door), the payload is canonical JSON already, and only the note and the issuer's names go
 * through the escaper. A JSON generator writing into a {@code StringWriter} was more than half of a delivery
 * thread's time when a backlog drains.
 */
final class Envelopes {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    Envelope of(EventRecord event) {
        StringBuilder json = new StringBuilder(320 + event.payloadJson().length());
        json.append("{\"aggregate_type\":");
        string(json, event.aggregateType());
        json.append(",\"aggregate_id\":");
        string(json, event.aggregateId());
        json.append(",\"event_type\":");
        string(json, event.eventType());
        json.append(",\"payload\":").append(event.payloadJson());
        json.append(",\"metadata\":{\"event_id\":");
        string(json, event.eventId());
        json.append(",\"created_at\":");
        string(json, event.createdAt());
        json.append(",\"issued_by\":{");
        if (event.issuedBy() != null) {
            json.append("\"group\":");
            string(json, event.issuedBy().group());
            json.append(",\"user\":");
            string(json, event.issuedBy().user());
        }
        json.append('}');
        if (event.note() != null) {
            json.append(",\"note\":");
            string(json, event.note());
        }
        json.append("},\"version\":").append(event.version());
        json.append(",\"hash\":");
        string(json, event.hash());
        json.append(",\"merkle_root\":");
        string(json, event.merkleRoot());
        json.append('}');
        return new Envelope(
                event.position(),
                event.aggregateType(),
                event.aggregateId(),
                event.eventType(),
                event.eventId(),
                event.version(),
                json.toString());
    }

    /** A JSON string (RFC 8259): quotes, backslashes and control characters escaped, everything else as it is. */
    static void string(StringBuilder out, String text) {
        out.append('"');
        int clean = 0;
        int length = text.length();
        while (clean < length) {
            char c = text.charAt(clean);
            if (c < 0x20 || c == '"' || c == '\\') {
                break;
            }
            clean++;
        }
        if (clean == length) {
            out.append(text).append('"'); // the usual case: nothing to escape
            return;
        }
        out.append(text, 0, clean);
        for (int i = clean; i < length; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
