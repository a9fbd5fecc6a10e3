package io.datastorage.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code datastorage.index.type=none}: the service stores in PostgreSQL only, lists and reads as
 * usual, answers every search from the bounded exact scan and says so, is ready without an index,
 * and has nothing to reconcile.
 */
class NoIndexTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(RunningService.newDataDir(), "--datastorage.index.type=none");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static String analysis(String name, String rootCause) {
        return JSON.writeValueAsString(Map.of("name", name, "namespace", "no-index", "phase", "Completed",
                "createdAt", "2026-11-15T03:00:00Z", "correlationId", "corr-" + name, "rootCause", rootCause,
                "recommendedAction", "look into it", "confidence", 0.8, "model", "gpt"));
    }

    private static JsonNode json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    @Test
    void storesListsAndSearchesWithoutAVectorIndex() {
        JsonNode oom = json(service.postJson("/api/v1/audit/aianalysis", analysis("oom",
                "The container was killed because it exceeded its memory limit")), 201);
        json(service.postJson("/api/v1/audit/aianalysis", analysis("dns",
                "DNS lookups fail intermittently because CoreDNS is overloaded")), 201);
        String id = oom.get("id").asString();

        assertThat(oom.get("vectorIndexed").asBoolean()).isFalse();
        JsonNode page = json(service.get("/api/v1/audit/aianalysis?namespace=no-index"), 200);
        List<String> names = new ArrayList<>();
        page.get("items").forEach(item -> names.add(item.get("name").asString()));
        assertThat(names).containsExactlyInAnyOrder("oom", "dns");
        JsonNode byId = json(service.get("/api/v1/audit/aianalysis/" + id), 200);
        assertThat(byId.get("embedded").asBoolean()).isTrue();
        assertThat(byId.get("vectorIndexed").asBoolean()).isFalse();

        JsonNode found = json(service.postJson("/api/v1/audit/search",
                "{\"query\":\"pod ran out of memory\",\"namespace\":\"no-index\",\"topK\":1}"), 200);
        assertThat(found.get("degraded").asBoolean()).isTrue();
        assertThat(found.get("results")).hasSize(1);
        assertThat(found.get("results").get(0).get("record").get("id").asString()).isEqualTo(id);
    }

    @Test
    void isReadyWithoutAnIndex() {
        assertThat(service.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void hasNothingToReconcile() {
        JsonNode problem = json(service.postJson("/api/v1/admin/reconcile", ""), 409);

        assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:no-index");
        assertThat(problem.get("detail").asString()).contains("datastorage.index.type=none");
        assertThat(json(service.get("/api/v1/admin/reconcile"), 409).get("type").asString())
                .isEqualTo("urn:datastorage:problem:no-index");
    }
}
