package io.datastorage.server;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.EmbeddingText;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14 on the real service: one remediation, then 2,000 whose only embedded text is
 * {@code PodOOMKilled}. With one HNSW node per record, the search for the first record's exact text
 * without a filter missed it, even with topK 100: the identical vectors crowded the graph.
 */
class RepeatedTextSearchTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int DUPLICATES = 2_000;
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    static RunningService service;
    static Map<String, Object> first;
    static String firstId;
    static List<String> duplicateIds = new ArrayList<>();

    @BeforeAll
    static void start() {
        service = RunningService.start(RunningService.newDataDir());
        first = remediation("rr-first", T0);
        first.put("rootCause", "memory leak in cache");
        first.put("action", "increase-memory-limit");
        firstId = id(service.postJson("/api/v1/audit/remediation", JSON.writeValueAsString(first)));
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < DUPLICATES; i++) {
            batch.add(remediation("rr-" + i, T0.plus(Duration.ofMinutes(i + 1))));
            if (batch.size() == 500) {
                HttpResponse<String> answer = service.postJson("/api/v1/audit/remediation/batch", JSON.writeValueAsString(batch));
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
                JSON.readTree(answer.body()).get("ids").forEach(id -> duplicateIds.add(id.asString()));
                batch.clear();
            }
        }
        // records become searchable as their embeddings land: no hit at all is "not yet", not an error
        await().atMost(Duration.ofSeconds(30)).until(() -> search(Map.of("query", "PodOOMKilled", "topK", 1))
                .findValue("sameTextCount"), count -> count != null && count.asLong() == DUPLICATES);
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static Map<String, Object> remediation(String name, Instant createdAt) {
        Map<String, Object> record = AuditFixtures.valid(AuditKind.REMEDIATION);
        record.put("name", name);
        record.put("createdAt", createdAt.toString());
        record.put("correlationId", "c-" + name);
        return record;
    }

    private static String id(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        return JSON.readTree(answer.body()).get("id").asString();
    }

    private static JsonNode search(Map<String, Object> request) {
        HttpResponse<String> answer = service.postJson("/api/v1/audit/search", JSON.writeValueAsString(request));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("degraded").asBoolean()).isFalse();
        return body.get("results");
    }

    @Test
    void theFirstRecordsExactTextFindsItFirstWithAndWithoutAFilter() {
        String text = EmbeddingText.of(AuditKind.REMEDIATION, first);
        for (Map<String, Object> filters : List.of(Map.<String, Object>of(), Map.<String, Object>of("kinds", List.of("remediation")),
                Map.<String, Object>of("since", "3650d"))) {
            Map<String, Object> request = new LinkedHashMap<>(filters);
            request.put("query", text);
            request.put("topK", 1);
            JsonNode results = search(request);
            assertThat(results).as("filters %s", filters).hasSize(1);
            assertThat(results.get(0).get("record").get("id").asString()).isEqualTo(firstId);
            assertThat(results.get(0).get("score").asDouble()).isCloseTo(1.0, within(1e-6));
            assertThat(results.get(0).get("sameTextCount").asLong()).isEqualTo(1);
        }
    }

    @Test
    void topKCountsRecordsAndTheRepeatedTextComesNewestFirstWithItsCount() {
        JsonNode results = search(Map.of("query", EmbeddingText.of(AuditKind.REMEDIATION, first), "topK", 100));

        assertThat(results).hasSize(100);
        assertThat(results.get(0).get("record").get("id").asString()).isEqualTo(firstId);
        for (int i = 1; i < 100; i++) {
            JsonNode result = results.get(i);
            assertThat(result.get("sameTextCount").asLong()).isEqualTo(DUPLICATES);
            assertThat(result.get("record").get("id").asString()).isEqualTo(duplicateIds.get(DUPLICATES - i));
        }

        JsonNode repeated = search(Map.of("query", "PodOOMKilled", "topK", 3));
        assertThat(repeated).extracting(r -> r.get("record").get("id").asString())
                .containsExactly(duplicateIds.get(1_999), duplicateIds.get(1_998), duplicateIds.get(1_997));
        assertThat(repeated).allSatisfy(r -> assertThat(r.get("score").asDouble()).isCloseTo(1.0, within(1e-6)));
    }

    @Test
    void twoRecordsWithTheSameTextAreBothFoundUnfiltered() {
        Map<String, Object> again = remediation("rr-again", T0.minus(Duration.ofDays(1)));
        again.put("signalName", "NodeDiskPressure");
        again.put("rootCause", "image cache filled the root volume");
        Map<String, Object> twice = new LinkedHashMap<>(again);
        twice.put("name", "rr-again-2");
        twice.put("createdAt", T0.minus(Duration.ofHours(1)).toString());
        String older = id(service.postJson("/api/v1/audit/remediation", JSON.writeValueAsString(again)));
        String newer = id(service.postJson("/api/v1/audit/remediation", JSON.writeValueAsString(twice)));
        String text = EmbeddingText.of(AuditKind.REMEDIATION, again);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode results = search(Map.of("query", text, "topK", 3));
            assertThat(results).extracting(r -> r.get("record").get("id").asString()).startsWith(newer, older);
            assertThat(results.get(0).get("sameTextCount").asLong()).isEqualTo(2);
            assertThat(results.get(1).get("score").asDouble()).isCloseTo(1.0, within(1e-6));
        });
    }
}
