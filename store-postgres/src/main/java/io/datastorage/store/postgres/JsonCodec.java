package io.datastorage.store.postgres;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON for jsonb columns. Fractions are read as BigDecimal so numbers come back exactly. */
final class JsonCodec {
    private static final JsonMapper MAPPER = JsonMapper.builder()
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
