package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration from a table in a second, real PostgreSQL ({@code legacy.type=postgres}): the store
 * opens from the configured URL, user and mapping file, the status shows it, a record put there
 * is shown by the records endpoint, and a legacy database that stops answering shows in the
 * status and as 503 naming the legacy store, for a read and for a write (nothing stored).
 */
class MigrationPostgresLegacyTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    static EmbeddedPostgresServer legacy;
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacy = LegacyPostgres.start(dataDir);
        service = RunningService.start(dataDir,
                LegacyPostgres.serviceOptions(legacy, dataDir, "DUAL_WRITE_LEGACY_PRIMARY"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (legacy != null) {
            legacy.close();
        }
    }

    @Test
    void theLegacyTableIsUsedAndAFailingLegacyDatabaseIsReportedAsSuch() {
        JsonNode status = JSON.readTree(service.get("/api/v1/admin/migration").body());
        assertThat(status.path("phase").asString()).isEqualTo("DUAL_WRITE_LEGACY_PRIMARY");
        assertThat(status.path("stores").path("legacy").path("type").asString()).isEqualTo("postgres");
        assertThat(status.path("stores").path("legacy").path("up").asBoolean()).isTrue();

        UUID id = UUID.randomUUID();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("name", "in-the-table");
        document.put("namespace", "prod");
        document.put("phase", "Completed");
        document.put("createdAt", "2026-11-20T10:00:00Z");
        document.put("correlationId", "corr-table");
        document.put("workflowName", "restart");
        document.put("step", "drain");
        service.context().getBean(LegacyStore.class).put(new LegacyRecord(id, AuditKind.WORKFLOW,
                Instant.parse("2026-11-20T10:00:00Z"), document, null));
        JsonNode comparison = JSON.readTree(service.get("/api/v1/admin/migration/records/workflow/" + id).body());
        assertThat(comparison.path("legacy").path("document").path("name").asString()).isEqualTo("in-the-table");

        legacy.close();

        JsonNode down = JSON.readTree(service.get("/api/v1/admin/migration").body());
        assertThat(down.path("stores").path("legacy").path("up").asBoolean()).isFalse();
        assertThat(down.path("stores").path("new").path("up").asBoolean()).isTrue();
        HttpResponse<String> read = service.get("/api/v1/admin/migration/records/workflow/" + id);
        assertThat(read.statusCode()).isEqualTo(503);
        assertThat(read.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(read.body()).path("detail").asString()).contains("legacy store");

        // the legacy store is the primary of this phase: a write fails whole, and says so
        HttpResponse<String> write = service.postJson("/api/v1/audit/workflow", RunningService.validRecord("workflow", "down"));
        assertThat(write.statusCode()).isEqualTo(503);
        assertThat(write.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(write.body()).path("detail").asString())
                .isEqualTo("The legacy store is unavailable; nothing was stored. Retry later.");
    }
}
