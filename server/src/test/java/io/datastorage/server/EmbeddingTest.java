package io.datastorage.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The embedder is never a reason to lose a record. */
class EmbeddingTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static RunningService service;

    @BeforeAll
    static void start() {
        ObservedModel.reset();
        service = RunningService.start(new Class<?>[]{DatastorageApplication.class, ObservedModel.class},
                RunningService.newDataDir(), "--datastorage.embedding.repair-interval=200ms");
    }

    @AfterAll
    static void stop() {
        ObservedModel.DOWN.set(false);
        service.close();
    }

    @Test
    void storesRecordsWithTheEmbeddingPendingWhileTheModelFailsAndEmbedsThemLater() {
        ObservedModel.DOWN.set(true);
        HttpResponse<String> single = service.postJson("/api/v1/audit/remediation", validRecord("remediation", "while-down"));
        HttpResponse<String> batch = service.postJson("/api/v1/audit/workflow/batch",
                "[" + validRecord("workflow", "down-1") + "," + validRecord("workflow", "down-2") + "]");

        assertThat(single.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(single.body()).get("embedded").asBoolean()).isFalse();
        assertThat(batch.statusCode()).isEqualTo(201);
        JsonNode batchAnswer = JSON.readTree(batch.body());
        assertThat(batchAnswer.get("records").valueStream().map(r -> r.get("embedded").asBoolean())).containsOnly(false);
        String location = single.headers().firstValue("Location").orElseThrow();
        assertThat(JSON.readTree(service.get(location).body()).get("embedded").asBoolean()).isFalse();
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_embedding_pending\\{[^}]*} 3.0")
                .containsPattern("datastorage_embedding_failures_total\\{[^}]*} [1-9]");

        ObservedModel.DOWN.set(false);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(JSON.readTree(service.get(location).body()).get("embedded").asBoolean()).isTrue();
            for (JsonNode id : batchAnswer.get("ids")) {
                assertThat(JSON.readTree(service.get("/api/v1/audit/workflow/" + id.asString()).body())
                        .get("embedded").asBoolean()).isTrue();
            }
        });
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_embedding_pending\\{[^}]*} 0.0")
                .contains("datastorage_embedding_generation_duration_seconds_bucket")
                .contains("datastorage_embedding_batch_size_count");
    }

    @Test
    void aRepeatedTextIsEmbeddedOnceAndServedFromTheCache() {
        String message = "node-7 evicted 12 pods under disk pressure";
        for (String name : new String[]{"cached-1", "cached-2"}) {
            HttpResponse<String> answer = service.postJson("/api/v1/audit/aianalysis", "{\"name\":\"" + name
                    + "\",\"namespace\":\"prod\",\"phase\":\"Completed\",\"correlationId\":\"corr-cache\",\"createdAt\":\"2026-11-20T10:00:00Z\",\"message\":\"" + message + "\"}");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
            assertThat(JSON.readTree(answer.body()).get("embedded").asBoolean()).isTrue();
        }

        assertThat(ObservedModel.timesEmbedded(message)).isEqualTo(1);
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_cache_hits_total\\{[^}]*} [1-9]")
                .containsPattern("datastorage_cache_misses_total\\{[^}]*} [1-9]")
                .containsPattern("datastorage_cache_errors_total\\{[^}]*} 0.0");
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void refusesToStartWhenTheConfiguredDimensionDiffersFromTheModels(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), "--datastorage.embedding.dimension=1536").close())
                .isNotNull();

        assertThat(output.getAll()).contains("datastorage.embedding.dimension is 1536 but the model "
                + "sentence-transformers/all-MiniLM-L6-v2@256 produces 384-dimensional vectors");
    }
}
