package io.datastorage.server;

import io.datastorage.server.config.DatabaseServer;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17, fault test 11: the phase store unreachable. The service's real PostgreSQL (which holds
 * the phase) is stopped and kept down (a setting it refuses is written into its configuration
 * before its processes are killed, so the service's watchdog cannot bring it back), with a
 * JSON-files legacy store in {@code LEGACY_ONLY}. The replica keeps its last known phase and says
 * so: the status answers with that phase and {@code phaseStore.up=false} (since when, and why),
 * {@code datastorage_migration_phase_store_up} is 0; reads by id still come from the legacy store;
 * writes (fenced in PostgreSQL) and phase changes answer 503, never 500. Once PostgreSQL can start
 * again the replica says the store is up again, and writes succeed.
 */
class MigrationPhaseStoreOutageTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BOUND = Duration.ofSeconds(120);

    private RunningService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void withThePhaseStoreDownTheReplicaKeepsItsLastKnownPhaseSaysSoAndRecoversWhenItReturns() throws Exception {
        Path dataDir = RunningService.newDataDir();
        Path legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir, "--datastorage.db.embedded-check-interval=250ms",
                "--datastorage.db.embedded-restart-attempts=1", "--datastorage.db.embedded-startup-timeout=10s",
                "--datastorage.db.connection-timeout=1s");
        Map<UUID, String> written = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> created = service.postJson("/api/v1/audit/workflow",
                    RunningService.validRecord("workflow", "before-outage-" + i));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            written.put(UUID.fromString(JSON.readTree(created.body()).path("id").asString()), "before-outage-" + i);
        }
        JsonNode before = status();
        assertThat(before.path("phaseStore").path("up").asBoolean()).isTrue();
        Instant lastAnswerBefore = Instant.parse(before.path("phaseStore").path("lastRefreshedAt").asString());

        EmbeddedPostgresServer postgres = service.context().getBean(DatabaseServer.class).embedded();
        Path config = postgres.dataDirectory().resolve("postgresql.conf");
        String original = Files.readString(config);
        Files.writeString(config, original + "\nshared_buffers = 'not-a-size'\n");
        List<ProcessHandle> killed = DatabaseCrashTest.killProcessTree(postgres);
        await().atMost(BOUND).until(() -> killed.stream().noneMatch(ProcessHandle::isAlive));

        // The replica notices at its next refresh (every second) and keeps its last known phase.
        await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).until(() -> metrics()
                .matches("(?s).*datastorage_migration_phase_store_up\\{[^}]*} 0\\.0.*"));
        HttpResponse<String> statusWhileDown = service.get("/api/v1/admin/migration");
        assertThat(statusWhileDown.statusCode()).as(statusWhileDown.body()).isEqualTo(200);
        JsonNode down = JSON.readTree(statusWhileDown.body());
        assertThat(down.path("phase").asString()).isEqualTo("LEGACY_ONLY");
        assertThat(down.path("version").asLong()).isEqualTo(before.path("version").asLong());
        assertThat(down.path("stores").path("new").path("up").asBoolean()).isFalse();
        JsonNode phaseStore = down.path("phaseStore");
        assertThat(phaseStore.path("up").asBoolean()).isFalse();
        assertThat(Instant.parse(phaseStore.path("downSince").asString())).isAfterOrEqualTo(lastAnswerBefore);
        assertThat(Instant.parse(phaseStore.path("lastRefreshedAt").asString()))
                .as("the last answer, from before the outage").isBefore(Instant.parse(phaseStore.path("downSince").asString()));
        assertThat(phaseStore.path("detail").asString()).isNotBlank();
        assertThat(down.path("gates").get(0).path("refusals").get(0).asString()).contains("does not answer");
        assertThat(OpenApiSchemaTest.validate("#/components/schemas/MigrationStatus", down)).isEmpty();

        // Reads by id come from the legacy store (the primary of LEGACY_ONLY).
        for (Map.Entry<UUID, String> record : written.entrySet()) {
            HttpResponse<String> read = service.get("/api/v1/audit/workflow/" + record.getKey());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).path("name").asString()).isEqualTo(record.getValue());
        }
        // Writes are fenced in PostgreSQL, and a phase change is stored there: 503, never 500.
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> write = service.postJson("/api/v1/audit/workflow",
                    RunningService.validRecord("workflow", "during-outage-" + i));
            answers.add(write.statusCode() + " " + JSON.readTree(write.body()).path("type").asString());
            assertThat(write.headers().firstValue("Retry-After")).isPresent();
        }
        HttpResponse<String> change = service.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/phase"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + before.path("version").asLong() + "}")));
        answers.add(change.statusCode() + " " + JSON.readTree(change.body()).path("type").asString());
        assertThat(answers).allSatisfy(answer -> assertThat(answer).startsWith("503 urn:datastorage:problem:"));
        assertThat(MigrationSides.legacyFiles(legacyDir)).as("nothing written while the fence could not be checked")
                .containsOnlyKeys(written.keySet());

        // PostgreSQL can start again: the watchdog brings it back and the replica reads the phase again.
        Files.writeString(config, original);
        await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode status = statusOrNull();
            return status != null && status.path("phaseStore").path("up").asBoolean();
        });
        JsonNode after = status();
        assertThat(after.path("phase").asString()).isEqualTo("LEGACY_ONLY");
        assertThat(after.path("phaseStore").path("downSince").isNull()).isTrue();
        assertThat(after.path("phaseStore").path("detail").isNull()).isTrue();
        assertThat(metrics()).containsPattern("datastorage_migration_phase_store_up\\{[^}]*} 1\\.0");
        await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).until(() -> service.postJson("/api/v1/audit/workflow",
                RunningService.validRecord("workflow", "after-outage")).statusCode() == 201);
        System.out.printf("PHASE-STORE-OUTAGE: answersWhileDown=%s%n", answers);
    }

    private JsonNode status() {
        return JSON.readTree(service.get("/api/v1/admin/migration").body());
    }

    private JsonNode statusOrNull() {
        try {
            HttpResponse<String> answer = service.get("/api/v1/admin/migration");
            return answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
        } catch (UncheckedIOException e) {
            return null;
        }
    }

    private String metrics() {
        return service.get(service.management("/metrics")).body();
    }
}
