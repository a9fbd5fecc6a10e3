package io.datastorage.legacy.postgres;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON for documents in the legacy table: fractions read as BigDecimal so numbers come back exactly
 * (and with their scale: jsonb keeps {@code 0.10} as {@code 0.10}), and a number may be as long as
 * PostgreSQL's {@code numeric} can write one (as store-postgres reads jsonb).
 */
final class LegacyJson {
    private static final int MAX_NUMERIC_TEXT = 131_072 + 16_383 + 2;
    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(MAX_NUMERIC_TEXT).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private LegacyJson() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static Map<String, Object> readObject(String json) {
        return MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {
        });
    }

    static Object readValue(String json) {
        return MAPPER.readValue(json, Object.class);
    }
}
