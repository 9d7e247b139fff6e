package io.eventdbx.views;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** How the HTTP surfaces read request bodies: the same rules for REST and GraphQL. */
public final class StrictJson {

    private StrictJson() {}

    /**
     * A new request parser: one JSON document and nothing after it, no duplicate member names (an auditor or gateway
     * that reads the first of two must see what was written), numbers kept exactly as sent (decimals of any length
     * and exponent; the store's canonical form decides what is in range).
     *
     * @return the mapper, thread-safe once built
     */
    public static ObjectMapper mapper() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .build();
    }

    /**
     * Whether a Content-Type names JSON: {@code application/json}, parameters (charset) allowed; nothing else.
     *
     * @param contentType the header, or null
     * @return true for JSON
     */
    public static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return mediaType.equalsIgnoreCase("application/json");
    }
}
