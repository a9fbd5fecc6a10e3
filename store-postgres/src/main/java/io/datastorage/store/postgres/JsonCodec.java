package io.datastorage.store.postgres;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for jsonb columns. Fractions are read as BigDecimal so numbers come back exactly.
 *
 * <p>PostgreSQL writes a jsonb number in plain notation ({@code 1E-1001} as 1,003 characters), up
 * to {@code numeric}'s 131,072 digits before the point and 16,383 after. The service accepts only
 * numbers far inside that (see {@code Numbers} in core), but a record stored before it did must
 * still be readable, so the reader's limit on a number's length covers everything PostgreSQL can
 * write instead of Jackson's default of 1,000.
 */
final class JsonCodec {
    static final int MAX_NUMERIC_TEXT = 131_072 + 16_383 + 2;
    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(MAX_NUMERIC_TEXT).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private JsonCodec() {
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static Map<String, Object> readObject(String json) {
        return MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {
        });
    }

    static List<Map<String, Object>> readList(String json) {
        return MAPPER.readValue(json, new TypeReference<List<Map<String, Object>>>() {
        });
    }
}
