package io.eventdbx.schema.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eventdbx.schema.api.SchemaViolation;
import java.math.BigDecimal;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RulesTest {

    private final Rules rules = new Rules();

    private static Schema schema(String field, FieldRule rule, List<String> allowed) {
        TreeMap<String, EventRule> events = new TreeMap<>();
        events.put("e", new EventRule(null, allowed));
        TreeMap<String, FieldRule> fields = new TreeMap<>();
        if (field != null) {
            fields.put(field, rule);
        }
        return new Schema("t", 1, false, null, events, fields, "now");
    }

    private static FieldRule typed(String type) {
        return new FieldRule(type, false, null, null, null, null, null, List.of(), false);
    }

    private void accepts(Schema s, String json) {
        assertDoesNotThrow(() -> rules.check(s, "e", payload(json)), json);
    }

    private void refuses(Schema s, String json, String expectedInMessage) {
        SchemaViolation e = assertThrows(SchemaViolation.class, () -> rules.check(s, "e", payload(json)), json);
        assertTrue(e.getMessage().contains(expectedInMessage), e.getMessage());
        assertTrue(e.getMessage().contains("aggregate type t, event e"), e.getMessage());
    }

    private static TreeMap<String, String> payload(String json) {
        return new TreeMap<>(io.eventdbx.integrity.CanonicalJson.objectMembers(json));
    }

    @Test
    void eachTypeAcceptsItsValuesAndRefusesOthers() {
        String[][] cases = {
            // type, accepted..., "|", refused...
            {"text", "\"x\"", "\"\"", "|", "1", "true", "{}"},
            {"integer", "42", "-7", "\"42\"", "|", "4.2", "\"4.2\"", "\"abc\"", "true", "\"1e3\""},
            {"decimal", "4.25", "-1", "\"3.5\"", "|", "\"abc\"", "[]"},
            {"boolean", "true", "\"false\"", "|", "1", "\"yes\""},
            {"timestamp", "\"2026-11-23T10:00:00Z\"", "\"2026-11-23T10:00:00.5+01:00\"", "|", "\"2026-11-23\"", "12"},
            {"date", "\"2026-11-23\"", "|", "\"2026-13-01\"", "\"23/11/2026\""},
            {"object", "{\"a\":1}", "|", "\"{}\"", "[1]"},
            {"array", "[1,2]", "[]", "|", "{}", "\"[]\""},
        };
        for (String[] c : cases) {
            Schema s = schema("f", typed(c[0]), List.of());
            boolean accepted = true;
            for (int i = 1; i < c.length; i++) {
                if (c[i].equals("|")) {
                    accepted = false;
                } else if (accepted) {
                    accepts(s, "{\"f\":" + c[i] + "}");
                } else {
                    refuses(s, "{\"f\":" + c[i] + "}", "type " + c[0] + " expected");
                }
            }
        }
    }

    @Test
    void requiredRegexLengthRangeAndEnum() {
        Schema required =
                schema("f", new FieldRule(null, true, null, null, null, null, null, List.of(), false), List.of());
        accepts(required, "{\"f\":\"x\"}");
        refuses(required, "{\"g\":\"x\"}", "field f: required but missing");
        refuses(required, "{\"f\":null}", "required but missing");

        Schema regex = schema(
                "f", new FieldRule(null, false, "[A-Z]{2}-\\d+", null, null, null, null, List.of(), false), List.of());
        accepts(regex, "{\"f\":\"AB-12\"}");
        refuses(regex, "{\"f\":\"ab-12\"}", "does not match regex");

        Schema length = schema("f", new FieldRule(null, false, null, 2L, 4L, null, null, List.of(), false), List.of());
        accepts(length, "{\"f\":\"abc\"}");
        accepts(length, "{\"f\":[1,[2,3]]}");
        refuses(length, "{\"f\":\"a\"}", "length 1 is outside 2..4");
        refuses(length, "{\"f\":[1,2,3,4,5]}", "length 5 is outside 2..4");

        Schema range = schema(
                "f",
                new FieldRule(null, false, null, null, null, BigDecimal.ZERO, new BigDecimal("150"), List.of(), false),
                List.of());
        accepts(range, "{\"f\":150}");
        accepts(range, "{\"f\":\"0\"}");
        refuses(range, "{\"f\":151}", "outside range 0..150");
        refuses(range, "{\"f\":-0.5}", "outside range");
        refuses(range, "{\"f\":\"old\"}", "a number is needed");

        Schema values = schema(
                "f",
                new FieldRule(null, false, null, null, null, null, null, List.of("red", "green"), false),
                List.of());
        accepts(values, "{\"f\":\"red\"}");
        refuses(values, "{\"f\":\"blue\"}", "is not one of red, green");
    }

    @Test
    void eventsAndTheirFieldsMustBeDeclaredAndALockedTypeTakesNothing() {
        Schema allowed = schema(null, null, List.of("a", "b"));
        accepts(allowed, "{\"a\":1}");
        refuses(allowed, "{\"c\":1}", "field c: not allowed for this event");
        SchemaViolation undeclared =
                assertThrows(SchemaViolation.class, () -> rules.check(allowed, "other", payload("{}")));
        assertTrue(undeclared.getMessage().contains("not declared"), undeclared.getMessage());
        Schema locked = new Schema("t", 2, true, null, allowed.events(), allowed.fields(), "now");
        refuses(locked, "{\"a\":1}", "locked and accepts no new events");
    }

    @Test
    void aRequiredFieldIsRequiredOnlyWhereTheEventMayCarryIt() {
        TreeMap<String, EventRule> events = new TreeMap<>();
        events.put("e", new EventRule(null, List.of("other")));
        TreeMap<String, FieldRule> fields = new TreeMap<>();
        fields.put("f", new FieldRule(null, true, null, null, null, null, null, List.of(), false));
        accepts(new Schema("t", 1, false, null, events, fields, "now"), "{\"other\":1}");
    }
}
