package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.store.RecordStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In {@code async} mode a write answers after its primary, and the secondary-write queue's job,
 * scheduled by the service under its lease, puts the record on the other store: the legacy store
 * when PostgreSQL is the primary, PostgreSQL (validated, its embedding left to the repair job)
 * when the legacy store is. With every read shadowed, a record both hold compares as a match.
 */
class MigrationQueueJobTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        Path legacy = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacy, "--datastorage.migration.secondary-mode=async",
                "--datastorage.migration.phase=DUAL_WRITE_NEW_PRIMARY", "--datastorage.migration.shadow-read-ratio=1");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    static UUID write(String name) {
        HttpResponse<String> created = service.postJson("/api/v1/audit/workflow", RunningService.validRecord("workflow", name));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return UUID.fromString(JSON.readTree(created.body()).path("id").asString());
    }

    @Test
    void theQueueJobPutsEachAsyncWriteOnTheSecondaryStore() {
        LegacyStore legacy = service.context().getBean(LegacyStore.class);
        RecordStore postgres = service.context().getBean(RecordStore.class);

        UUID newFirst = write("async-new-primary");
        assertThat(postgres.find(AuditKind.WORKFLOW, newFirst)).isPresent();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(legacy.find(AuditKind.WORKFLOW, newFirst)).isPresent());

        long version = JSON.readTree(service.get("/api/v1/admin/migration").body()).path("version").asLong();
        HttpResponse<String> moved = service.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/phase"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version
                                + ",\"force\":true,\"reason\":\"no validation in this test\"}")));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);

        UUID legacyFirst = write("async-legacy-primary");
        assertThat(legacy.find(AuditKind.WORKFLOW, legacyFirst)).isPresent();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(postgres.find(AuditKind.WORKFLOW, legacyFirst)).isPresent());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(JSON.readTree(
                service.get("/api/v1/admin/migration").body()).path("secondaryQueue").path("depth").asLong()).isZero());
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_job_runs_total\\{[^}]*job=\"secondary-writes\",outcome=\"ran\"} [1-9]");

        // every read is shadowed here (ratio 1): a record both stores hold compares as a match
        assertThat(service.get("/api/v1/audit/workflow/" + legacyFirst).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(JSON.readTree(
                service.get("/api/v1/admin/migration").body()).path("shadowReads").path("match").asLong()).isPositive());
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_migration_shadow_reads_total\\{[^}]*outcome=\"match\"} [1-9]");
    }
}
