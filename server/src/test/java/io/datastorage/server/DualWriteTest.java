package io.datastorage.server;

import io.datastorage.core.index.VectorIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The record goes to PostgreSQL and its vector to the index, both or neither, or later by repair. */
class DualWriteTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Class<?>[] SOURCES = {DatastorageApplication.class, SwitchableIndexConfiguration.class};
    static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(SOURCES, RunningService.newDataDir(),
                "--datastorage.index.repair-interval=200ms", "--datastorage.index.open-for=500ms");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    @Test
    void aWriteReachesBothStoresUnderOneId() {
        HttpResponse<String> created = service.postJson("/api/v1/audit/remediation", validRecord("remediation", "dual-1"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("vectorIndexed").asBoolean()).isTrue();
        String id = json(created).get("id").asString();
        assertThat(json(service.get("/api/v1/audit/remediation/" + id)).get("vectorIndexed").asBoolean()).isTrue();
        VectorIndex index = service.context().getBean(VectorIndex.class);
        await().atMost(Duration.ofSeconds(1)).until(() -> index.get(UUID.fromString(id)).isPresent());
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_dualwrite_success_total\\{[^}]*} [1-9]");
    }

    @Test
    void whileTheIndexIsDownWritesAreAcceptedAndIndexedWhenItReturns() {
        SwitchableIndexConfiguration.of(service).down(true);
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> created = service.postJson("/api/v1/audit/workflow", validRecord("workflow", "down-" + i));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                assertThat(json(created).get("vectorIndexed").asBoolean()).isFalse();
                ids.add(json(created).get("id").asString());
            }
            assertThat(service.get(service.management("/metrics")).body())
                    .containsPattern("datastorage_fallback_mode_total\\{[^}]*} [1-9]")
                    .containsPattern("datastorage_index_pending\\{[^}]*} [1-9]");
        } finally {
            SwitchableIndexConfiguration.of(service).down(false);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(json(service.get("/api/v1/audit/workflow/" + id)).get("vectorIndexed").asBoolean()).isTrue();
            }
        });
        VectorIndex index = service.context().getBean(VectorIndex.class);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(ids).allMatch(id -> index.get(UUID.fromString(id)).isPresent()));
    }

    @Test
    void strictModeRefusesWritesWhileTheIndexIsDown() {
        try (RunningService strict = RunningService.start(SOURCES, RunningService.newDataDir(), "--datastorage.index.mode=strict")) {
            SwitchableIndexConfiguration.of(strict).down(true);
            HttpResponse<String> refused = strict.postJson("/api/v1/audit/execution", validRecord("execution", "strict"));

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(refused).get("type").asString()).isEqualTo("urn:datastorage:problem:index-unavailable");
            assertThat(strict.get(strict.management("/metrics")).body())
                    .containsPattern("datastorage_dualwrite_failure_total\\{[^}]*reason=\"vectordb_failure\"[^}]*} [1-9]")
                    .containsPattern("datastorage_index_pending\\{[^}]*} 0.0");
        }
    }

    @Test
    void anIndexLostOnDiskIsRebuiltFromPostgresqlAtStartUp() {
        Path dataDir = RunningService.newDataDir();
        List<String> ids = new ArrayList<>();
        try (RunningService first = RunningService.start(dataDir)) {
            for (int i = 0; i < 12; i++) {
                HttpResponse<String> created = first.postJson("/api/v1/audit/aianalysis", validRecord("aianalysis", "lost-" + i));
                assertThat(json(created).get("vectorIndexed").asBoolean()).isTrue();
                ids.add(json(created).get("id").asString());
            }
        }
        FileSystemUtils.deleteRecursively(dataDir.resolve("index").toFile());

        try (RunningService second = RunningService.start(dataDir)) {
            VectorIndex index = second.context().getBean(VectorIndex.class);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(index.count()).isEqualTo(12);
                assertThat(ids).allMatch(id -> index.get(UUID.fromString(id)).isPresent());
            });
        }
    }
}
