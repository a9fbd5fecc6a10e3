package io.datastorage.server;

import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.EmbeddingException;
import io.datastorage.embedding.onnx.OnnxEmbedder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The embedder is never a reason to lose a record. */
class EmbeddingTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static RunningService service;

    /** The real model behind a switch that makes it fail, and a count of its calls. */
    @Configuration(proxyBeanMethods = false)
    static class FailingEmbedderConfiguration {
        static final AtomicBoolean DOWN = new AtomicBoolean();
        static final AtomicInteger CALLS = new AtomicInteger();

        @Bean
        @Primary
        Embedder switchableEmbedder(OnnxEmbedder.CloseableEmbedder model) {
            return new Embedder() {
                @Override
                public List<float[]> embed(List<String> texts) {
                    CALLS.incrementAndGet();
                    if (DOWN.get()) {
                        throw new EmbeddingException("model switched off by the test", true, null);
                    }
                    return model.embed(texts);
                }

                @Override
                public int dimension() {
                    return model.dimension();
                }

                @Override
                public String modelId() {
                    return model.modelId();
                }
            };
        }
    }

    @BeforeAll
    static void start() {
        service = RunningService.start(new Class<?>[]{DatastorageApplication.class, FailingEmbedderConfiguration.class},
                RunningService.newDataDir(), "--datastorage.embedding.repair-interval=200ms");
    }

    @AfterAll
    static void stop() {
        FailingEmbedderConfiguration.DOWN.set(false);
        service.close();
    }

    @Test
    void storesRecordsWithTheEmbeddingPendingWhileTheModelFailsAndEmbedsThemLater() {
        FailingEmbedderConfiguration.DOWN.set(true);
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

        FailingEmbedderConfiguration.DOWN.set(false);

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
    @ExtendWith(OutputCaptureExtension.class)
    void refusesToStartWhenTheConfiguredDimensionDiffersFromTheModels(CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), "--datastorage.embedding.dimension=1536").close())
                .isNotNull();

        assertThat(output.getAll()).contains("datastorage.embedding.dimension is 1536 but the model "
                + "sentence-transformers/all-MiniLM-L6-v2@256 produces 384-dimensional vectors");
    }
}
