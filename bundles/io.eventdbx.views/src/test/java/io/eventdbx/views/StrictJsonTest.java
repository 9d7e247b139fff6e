package io.eventdbx.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

    private final ObjectMapper json = StrictJson.mapper();

    @Test
    void numbersAreKeptAsSent() throws Exception {
        JsonNode node = json.readTree("{\"big\":12345678901234567890.5,\"pi\":3.141592653589793238462643383279,"
                + "\"tiny\":1e-400,\"huge\":1e400,\"int\":123456789012345678901234567890}");
        String written = json.writeValueAsString(node);
        assertTrue(written.contains("12345678901234567890.5"), written);
        assertTrue(written.contains("3.141592653589793238462643383279"), written);
        assertTrue(written.contains("1E-400"), written);
        assertTrue(written.contains("1E+400"), written);
        assertTrue(written.contains("123456789012345678901234567890"), written);
    }

    @Test
    void oneDocumentWithoutDuplicateNames() {
        assertThrows(JsonProcessingException.class, () -> json.readTree("{\"a\":1} xyz"));
        assertThrows(JsonProcessingException.class, () -> json.readTree("{\"a\":1}{\"a\":2}"));
        assertThrows(JsonProcessingException.class, () -> json.readTree("{\"a\":1,\"a\":2}"));
        assertThrows(JsonProcessingException.class, () -> json.readTree("{\"p\":{\"x\":1,\"x\":2}}"));
    }

    @Test
    void onlyJsonIsJson() {
        assertTrue(StrictJson.isJson("application/json"));
        assertTrue(StrictJson.isJson("Application/JSON; charset=utf-8"));
        assertFalse(StrictJson.isJson("application/jsonx"));
        assertFalse(StrictJson.isJson("application/json-patch+json"));
        assertFalse(StrictJson.isJson("text/plain"));
        assertFalse(StrictJson.isJson(null));
        assertEquals(false, StrictJson.isJson(""));
    }
}
