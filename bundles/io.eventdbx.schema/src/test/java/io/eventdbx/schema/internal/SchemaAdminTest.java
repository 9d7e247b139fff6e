package io.eventdbx.schema.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.schema.api.EventInfo;
import io.eventdbx.schema.api.FieldInfo;
import io.eventdbx.schema.api.SchemaInfo;
import io.eventdbx.schema.api.SchemaViolation;
import io.eventdbx.store.api.InMemoryStorageEngine;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The typed schema administration: each change a new version, in force for admission at once, kept across restarts. */
class SchemaAdminTest {

    private final InMemoryStorageEngine storage = new InMemoryStorageEngine();

    private static TreeMap<String, String> payload(String... pairs) {
        TreeMap<String, String> members = new TreeMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            members.put(pairs[i], pairs[i + 1]);
        }
        return members;
    }

    @Test
    void changesAreTypedVersionedAndInForce() throws Exception {
        SchemaComponent schemas = new SchemaComponent(storage, Map.of("restrict", "default"));
        SchemaInfo created = schemas.create("patient", List.of("admitted", "seen"), null);
        assertEquals(1, created.version());
        assertEquals(List.of("admitted", "seen"), List.copyOf(created.events().keySet()));

        SchemaInfo withField = schemas.setField(
                "patient",
                "age",
                new FieldInfo(
                        "integer", true, null, null, null, BigDecimal.ZERO, new BigDecimal("150"), List.of(), false));
        assertEquals(2, withField.version());
        assertEquals("integer", withField.fields().get("age").type());
        SchemaViolation violation =
                assertThrows(SchemaViolation.class, () -> schemas.admit("patient", "seen", payload("age", "200")));
        assertEquals("age", violation.details().get("field"));
        assertEquals("range", violation.details().get("rule"));
        schemas.admit("patient", "seen", payload("age", "42"));

        assertEquals(3, schemas.addEvents("patient", List.of("discharged")).version());
        assertEquals(
                4,
                schemas.setEvent("patient", "seen", new EventInfo("a visit", List.of("age")))
                        .version());
        SchemaInfo removed = schemas.removeEvent("patient", "admitted");
        assertFalse(removed.events().containsKey("admitted"));
        assertEquals("a visit", removed.events().get("seen").note());
        SchemaInfo locked = schemas.alter("patient", true, 50L);
        assertTrue(locked.locked());
        assertEquals(50L, locked.snapshotThreshold());
        assertThrows(SchemaViolation.class, () -> schemas.admit("patient", "seen", payload("age", "42")));
        assertTrue(schemas.setField("patient", "age", null).fields().isEmpty());

        // bad input names what was wrong
        assertTrue(assertThrows(IllegalArgumentException.class, () -> schemas.addEvents("nobody", List.of("x")))
                .getMessage()
                .contains("nobody"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> schemas.setField(
                                "patient",
                                "f",
                                new FieldInfo("colour", false, null, null, null, null, null, List.of(), false)))
                .getMessage()
                .contains("colour"));
        assertThrows(IllegalArgumentException.class, () -> schemas.removeEvent("patient", "nothing"));

        // another instance on the same storage sees the last version
        SchemaComponent restarted = new SchemaComponent(storage, Map.of("restrict", "default"));
        assertEquals(
                locked.version() + 1, restarted.get("patient").orElseThrow().version());
        assertEquals(1, restarted.list().size());
    }
}
