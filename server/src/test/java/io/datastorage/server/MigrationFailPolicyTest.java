package io.datastorage.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Policy {@code fail} with the secondary down: PostgreSQL is the primary
 * ({@code DUAL_WRITE_NEW_PRIMARY}) and the JSON-files legacy directory is moved away. The write is
 * answered 503 saying nothing was stored, and nothing of it is on either store; its
 * Idempotency-Key is free, so the same request, retried once the directory is back, is stored on
 * both.
 */
class MigrationFailPolicyTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static RunningService service;
    static Path legacyDir;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir, "--datastorage.migration.phase=DUAL_WRITE_NEW_PRIMARY",
                "--datastorage.migration.secondary=fail");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void withTheSecondaryDownAWriteIsRefusedStoredNowhereAndItsKeyStaysFreeForTheRetry() throws Exception {
        String body = RunningService.validRecord("workflow", "fail-policy");
        String[] headers = {"Idempotency-Key", "fail-policy-1", "Accept", "*/*"};
        Path away = legacyDir.resolveSibling("legacy-away");

        Files.move(legacyDir, away);
        HttpResponse<String> refused = service.postJson("/api/v1/audit/workflow", body, headers);
        Files.move(away, legacyDir);

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(refused.body()).path("detail").asString()).contains("nothing was stored");
        // on neither store: not listed by the primary, no row in PostgreSQL, no file in the directory
        JsonNode page = JSON.readTree(service.get("/api/v1/audit/workflow?name=fail-policy").body());
        assertThat(page.path("items")).isEmpty();
        assertThat(MigrationSides.newSide(service)).doesNotContainValue("fail-policy");
        assertThat(MigrationSides.legacyFiles(legacyDir)).doesNotContainValue("fail-policy");
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_migration_writes_total\\{[^}]*outcome=\"failed\",store=\"legacy\"} [1-9]")
                .containsPattern("datastorage_migration_writes_total\\{[^}]*outcome=\"undone\",store=\"new\"} [1-9]");

        HttpResponse<String> retried = service.postJson("/api/v1/audit/workflow", body, headers);

        assertThat(retried.statusCode()).as("the key is free: the retry is stored, not replayed: " + retried.body())
                .isEqualTo(201);
        String id = JSON.readTree(retried.body()).path("id").asString();
        assertThat(service.get("/api/v1/audit/workflow/" + id).statusCode()).isEqualTo(200);
        JsonNode comparison = JSON.readTree(service.get("/api/v1/admin/migration/records/workflow/" + id).body());
        assertThat(comparison.path("legacy").path("document")).isEqualTo(comparison.path("new").path("document"));
        assertThat(comparison.path("agree").asBoolean()).isTrue();
        assertThat(MigrationSides.legacyFiles(legacyDir)).containsOnlyKeys(java.util.UUID.fromString(id));
        // the same request once more is the replay of the stored one
        HttpResponse<String> replayed = service.postJson("/api/v1/audit/workflow", body, headers);
        assertThat(replayed.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(replayed.body()).path("id").asString()).isEqualTo(id);
    }
}
