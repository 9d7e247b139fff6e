package io.eventdbx.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventHashTest {

    private static EventHash base() {
        return new EventHash(
                "patient",
                "p-001",
                5,
                "patient-updated",
                "45c3013e-9b95-4ed0-9af9-1a465f81d3cf",
                "2024-12-01T17:22:43.512345Z",
                "admin",
                "jane",
                "checked",
                2L,
                "{\"status\":\"inactive\"}");
    }

    @Test
    void everyFieldIsCovered() {
        EventHash e = base();
        List<EventHash> variants = List.of(
                e,
                new EventHash(
                        "patientx",
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        "p-002",
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        6,
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        "patient-added",
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        "other-id",
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        "2024-12-01T17:22:43.512346Z",
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        "auditors",
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        "john",
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        null,
                        null,
                        e.note(),
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        null,
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        "",
                        e.schemaVersion(),
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        null,
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        3L,
                        e.payload()),
                new EventHash(
                        e.aggregateType(),
                        e.aggregateId(),
                        e.version(),
                        e.eventType(),
                        e.eventId(),
                        e.createdAt(),
                        e.issuedByGroup(),
                        e.issuedByUser(),
                        e.note(),
                        e.schemaVersion(),
                        "{\"status\":\"active\"}"));
        Set<String> hashes = new HashSet<>();
        variants.forEach(v -> hashes.add(Hex.of(v.hash())));
        assertEquals(variants.size(), hashes.size(), "changing any one field changes the hash");
    }

    @Test
    void noAmbiguousConcatenation() {
        EventHash ab = new EventHash("ab", "c", 1, "e", "i", "t", null, null, null, null, "{}");
        EventHash a = new EventHash("a", "bc", 1, "e", "i", "t", null, null, null, null, "{}");
        assertNotEquals(Hex.of(ab.hash()), Hex.of(a.hash()));
        EventHash number = new EventHash(
                "t", "i", 1, "e", "i", "t", null, null, null, null, CanonicalJson.canonicalize("{\"a\":1}"));
        EventHash text = new EventHash(
                "t", "i", 1, "e", "i", "t", null, null, null, null, CanonicalJson.canonicalize("{\"a\":\"1\"}"));
        assertNotEquals(Hex.of(number.hash()), Hex.of(text.hash()));
    }

    @Test
    void attributionNeedsBothParts() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new EventHash("t", "i", 1, "e", "i", "t", "admin", null, null, null, "{}"));
    }
}
