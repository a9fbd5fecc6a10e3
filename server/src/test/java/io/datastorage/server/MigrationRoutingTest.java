package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.store.RecordStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests routed by phase, end to end over HTTP, with a JSON-files legacy store in a temporary
 * directory: in {@code LEGACY_ONLY} a write lands on the legacy store only, its answer names the
 * phase, and GET by id, the listing, search's {@code migration} object and the admin comparison
 * all see it where it is; walking the phases forward and back with a write in each, every record
 * is where its phase put it and reads come from the phase's primary.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationRoutingTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        Path legacy = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacy);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
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
    @Order(2)
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
    @Order(3)
    void searchReadsPostgreSqlAndSaysItIsNotCompleteWhileTheLegacyStoreIsThePrimary() {
        HttpResponse<String> response = service.postJson("/api/v1/audit/search", "{\"query\":\"restart drain\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode migration = JSON.readTree(response.body()).path("migration");
        assertThat(migration.path("phase").asString()).isEqualTo("LEGACY_ONLY");
        assertThat(migration.path("newSideComplete").asBoolean()).isFalse();
    }

    static long version() {
        return JSON.readTree(service.get("/api/v1/admin/migration").body()).path("version").asLong();
    }

    static void move(String phase) {
        HttpResponse<String> moved = service.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/phase"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"phase\":\"" + phase + "\",\"expectedVersion\":" + version()
                        + ",\"force\":true,\"reason\":\"routing, not the gates, is tested here\"}")));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    }

    /** Writes one record under the current phase; its id, after checking the answer names the phase. */
    static UUID write(String phase, String name) {
        HttpResponse<String> created = service.postJson("/api/v1/audit/workflow", RunningService.validRecord("workflow", name));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Migration-Phase")).hasValue(phase + "; version=" + version());
        return UUID.fromString(JSON.readTree(created.body()).path("id").asString());
    }

    @Test
    @Order(4)
    void walkingThePhasesForwardAndBackEachWriteIsWhereItsPhasePutItAndReadsComeFromThePrimary() {
        LegacyStore legacy = service.context().getBean(LegacyStore.class);
        RecordStore postgres = service.context().getBean(RecordStore.class);
        List<String> walk = List.of("LEGACY_ONLY", "DUAL_WRITE_LEGACY_PRIMARY", "DUAL_WRITE_NEW_PRIMARY", "NEW_ONLY",
                "DUAL_WRITE_NEW_PRIMARY", "DUAL_WRITE_LEGACY_PRIMARY", "LEGACY_ONLY");
        Map<UUID, String> written = new LinkedHashMap<>();
        for (int i = 0; i < walk.size(); i++) {
            String phase = walk.get(i);
            if (i > 0) {
                move(phase);
            }
            UUID id = write(phase, "walk-" + i);
            written.put(id, phase);
            boolean onLegacy = !phase.equals("NEW_ONLY");
            boolean onNew = !phase.equals("LEGACY_ONLY");
            assertThat(legacy.find(AuditKind.WORKFLOW, id).isPresent()).as(phase + " on legacy").isEqualTo(onLegacy);
            assertThat(postgres.find(AuditKind.WORKFLOW, id).isPresent()).as(phase + " on PostgreSQL").isEqualTo(onNew);
            // every record written so far is read from this phase's primary: found where that store holds it
            boolean legacyPrimary = phase.startsWith("LEGACY") || phase.equals("DUAL_WRITE_LEGACY_PRIMARY");
            written.forEach((earlier, itsPhase) -> {
                boolean held = legacyPrimary ? !itsPhase.equals("NEW_ONLY") : !itsPhase.equals("LEGACY_ONLY");
                assertThat(service.get("/api/v1/audit/workflow/" + earlier).statusCode())
                        .as("record written in " + itsPhase + ", read in " + phase).isEqualTo(held ? 200 : 404);
            });
        }
        // the secondary writes landed at once (sync) and left nothing owed
        assertThat(JSON.readTree(service.get("/api/v1/admin/migration").body()).path("secondaryQueue").path("depth").asLong())
                .isZero();
    }
}
