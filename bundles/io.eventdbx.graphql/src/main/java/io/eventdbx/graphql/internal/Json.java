package io.eventdbx.graphql.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Map;

/** The request parser and response writer. */
final class Json {

    /** A JSON object as a map. */
    static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private Json() {}

    /**
     * One JSON document and nothing after it, no duplicate member names (a gateway that reads the first of two must
     * see what the server read), numbers exactly as sent (a payload's decimals reach the store unchanged).
     */
    static ObjectMapper strict() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                .build();
    }
}
