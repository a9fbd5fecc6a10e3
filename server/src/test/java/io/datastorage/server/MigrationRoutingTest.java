package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.InMemoryPhaseFence;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.PhaseFence;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.store.RecordStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests routed by phase, end to end over HTTP, with a JSON-files legacy store in a temporary
 * directory: in {@code LEGACY_ONLY} a write lands on the legacy store only, its answer names the
 * phase, and GET by id, the listing, search's {@code migration} object and the admin comparison
 * all see it where it is. The phase fence is core's in-process one ({@link InMemoryPhaseFence},
 * fencing on the same phase store), standing in for PostgreSQL's.
 */
class MigrationRoutingTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static RunningService service;

    /** PostgreSQL's phase fence, stood in for by core's in-process one over the same phase store and queue. */
    @Configuration(proxyBeanMethods = false)
    static class InProcessFence {
        @Bean
        PhaseFence phaseFence(PhaseStore phases, SecondaryWriteQueue queue) {
            return new InMemoryPhaseFence(phases, queue);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        Path legacy = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(new Class<?>[]{DatastorageApplication.class, InProcessFence.class}, dataDir,
                "--datastorage.migration.legacy.type=json-files", "--datastorage.migration.legacy.path=" + legacy);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void inLegacyOnlyAWriteLandsOnTheLegacyStoreAndEveryReadFindsItThere() {
        HttpResponse<String> created = service.postJson("/api/v1/audit/workflow",
                RunningService.validRecord("workflow", "routed-legacy"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Migration-Phase")).hasValue("LEGACY_ONLY; version=1");
        JsonNode receipt = JSON.readTree(created.body());
        assertThat(receipt.path("embedded").asBoolean()).isFalse();
        assertThat(receipt.path("vectorIndexed").asBoolean()).isFalse();
        UUID id = UUID.fromString(receipt.path("id").asString());

        assertThat(service.context().getBean(LegacyStore.class).find(AuditKind.WORKFLOW, id)).isPresent();
        assertThat(service.context().getBean(RecordStore.class).find(AuditKind.WORKFLOW, id)).isEmpty();

        HttpResponse<String> read = service.get("/api/v1/audit/workflow/" + id);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).path("name").asString()).isEqualTo("routed-legacy");

        JsonNode page = JSON.readTree(service.get("/api/v1/audit/workflow?name=routed-legacy").body());
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("id").asString()).isEqualTo(id.toString());

        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_migration_writes_total\\{[^}]*outcome=\"ok\",store=\"legacy\"} [1-9]");

        JsonNode comparison = JSON.readTree(service.get("/api/v1/admin/migration/records/workflow/" + id).body());
        assertThat(comparison.path("legacy").path("document").path("name").asString()).isEqualTo("routed-legacy");
        assertThat(comparison.path("new").isNull()).isTrue();
    }

    @Test
    void aBatchIsRoutedAsOneUnitUnderOnePhase() {
        String batch = "[" + RunningService.validRecord("workflow", "batch-1") + ","
                + RunningService.validRecord("workflow", "batch-2") + "]";
        HttpResponse<String> created = service.postJson("/api/v1/audit/workflow/batch", batch);

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Migration-Phase")).hasValue("LEGACY_ONLY; version=1");
        for (JsonNode id : JSON.readTree(created.body()).path("ids")) {
            assertThat(service.get("/api/v1/audit/workflow/" + id.asString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void searchReadsPostgreSqlAndSaysItIsNotCompleteWhileTheLegacyStoreIsThePrimary() {
        HttpResponse<String> response = service.postJson("/api/v1/audit/search", "{\"query\":\"restart drain\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode migration = JSON.readTree(response.body()).path("migration");
        assertThat(migration.path("phase").asString()).isEqualTo("LEGACY_ONLY");
        assertThat(migration.path("newSideComplete").asBoolean()).isFalse();
    }
}
