package io.eventdbx.integrity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{ \"b\" : 1, \"a\" : [ true, false, null ] }|{\"a\":[true,false,null],\"b\":1}",
                "{\"é\":1,\"z\":2,\"Z\":3,\"\":4}|{\"\":4,\"Z\":3,\"z\":2,\"é\":1}",
                "1.50|1.5",
                "15e-1|1.5",
                "1E3|1000",
                "-0|0",
                "-0.000|0",
                "100|100",
                "0.000001|0.000001",
                "12345678901234567890123|12345678901234567890123",
                "\"a\\u0041\\/\\n\\u001f\"|\"aA/\\n\\u001f\"",
                "\"✓ naïve \\ud83d\\ude00\"|\"✓ naïve 😀\"",
                "{\"nested\":{\"y\":[],\"x\":{}}}|{\"nested\":{\"x\":{},\"y\":[]}}"
            })
    void canonicalForms(String input, String canonical) {
        assertEquals(canonical, CanonicalJson.canonicalize(input));
        assertEquals(canonical, CanonicalJson.canonicalize(canonical), "canonical text is a fixed point");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "{\"a\":1,}",
                "[1,]",
                "01",
                "1.",
                ".5",
                "+1",
                "\"\\x\"",
                "\"tab\there\"",
                "{\"a\":1,\"a\":2}",
                "tru",
                "1 2",
                "\"\\ud800\"",
                "1e1001",
                "{a:1}",
                "NaN"
            })
    void invalidJsonIsRejectedWithAPosition(String input) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize(input));
        assertTrue(e.getMessage().startsWith("invalid JSON at character "), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void anErrorNamesTheFieldItIsIn() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> CanonicalJson.objectMembers("{\"ok\":1,\"n\":{\"deep\":[1,1e2000]}}"));
        assertTrue(e.getMessage().contains("(field 'n.deep[1]')"), e.getMessage());
        assertTrue(e.getMessage().contains("exponent beyond"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CanonicalJson.canonicalize("[1,{\"a\":tru}]"));
        assertTrue(e.getMessage().contains("(field '[1].a')"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void bigTinyAndLongDecimalsAreExact() {
        assertEquals("12345678901234567890.5", CanonicalJson.canonicalize("12345678901234567890.5"));
        assertEquals(
                "3.141592653589793238462643383279", CanonicalJson.canonicalize("3.141592653589793238462643383279"));
        assertEquals("0." + "0".repeat(399) + "1", CanonicalJson.canonicalize("1e-400"));
        assertEquals("1" + "0".repeat(400), CanonicalJson.canonicalize("1E+400"));
        assertEquals("-0.000123", CanonicalJson.canonicalize("-1.230e-4"));
    }

    @org.junit.jupiter.api.Test
    void depthIsLimited() {
        assertThrows(
                IllegalArgumentException.class, () -> CanonicalJson.canonicalize("[".repeat(100) + "]".repeat(100)));
        assertEquals("[".repeat(60) + "]".repeat(60), CanonicalJson.canonicalize("[".repeat(60) + "]".repeat(60)));
    }

    @org.junit.jupiter.api.Test
    void objectMembersRoundTrip() {
        String json = "{ \"b\": [1, 2.50], \"a\": {\"y\":true, \"x\":null}, \"\\u00e9\": \"e\" }";
        java.util.SortedMap<String, String> members = CanonicalJson.objectMembers(json);
        assertEquals(java.util.List.of("a", "b", "é"), new java.util.ArrayList<>(members.keySet()));
        assertEquals("[1,2.5]", members.get("b"));
        assertEquals(CanonicalJson.canonicalize(json), CanonicalJson.object(members));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.objectMembers("[1]"));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.objectMembers("{\"a\":1,\"a\":2}"));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.objectMembers("{\"a\":1} x"));
    }
}
