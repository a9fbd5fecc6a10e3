package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.server.cli.DatastorageCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migration's admin API and command line against a service with a JSON-files legacy store in
 * a temporary directory and its own PostgreSQL: the status, every refusal of a phase change (409,
 * 400), the phases walked forward and back, one record as both stores hold it, the metrics; and
 * 404 {@code migration-not-configured} on a service without a legacy store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationApiTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String STATUS = "/api/v1/admin/migration";
    static final String PHASE = "/api/v1/admin/migration/phase";

    static RunningService service;
    static Path legacyDir;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    static HttpResponse<String> put(String body) {
        return service.send(HttpRequest.newBuilder(service.api(PHASE)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    static long version() {
        return json(service.get(STATUS)).path("version").asLong();
    }

    static HttpResponse<String> move(String phase) {
        // forced: these tests walk the phases; the gates have their own tests (MigrationGatesTest)
        return put("{\"phase\":\"" + phase + "\",\"expectedVersion\":" + version() + ",\"reason\":\"test\",\"force\":true}");
    }

    @Test
    @Order(1)
    void theFirstStartStoresLegacyOnlyAndTheStatusShowsEveryPart() {
        HttpResponse<String> response = service.get(STATUS);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode status = json(response);
        assertThat(status.path("phase").asString()).isEqualTo("LEGACY_ONLY");
        assertThat(status.path("version").asLong()).isEqualTo(1);
        assertThat(status.path("changedAt").asString()).isNotBlank();
        assertThat(status.path("allowedMoves").toString()).isEqualTo("[\"DUAL_WRITE_LEGACY_PRIMARY\"]");
        assertThat(status.path("history")).hasSize(1);
        assertThat(status.path("history").get(0).path("by").asString()).isEqualTo("configuration");
        assertThat(status.path("history").get(0).path("from").isNull()).isTrue();
        assertThat(status.path("stores").path("legacy").path("type").asString()).isEqualTo("json-files");
        assertThat(status.path("stores").path("legacy").path("up").asBoolean()).isTrue();
        assertThat(status.path("stores").path("new").path("up").asBoolean()).isTrue();
        assertThat(status.path("secondaryQueue").path("depth").asLong()).isZero();
        assertThat(status.path("secondaryQueue").path("oldestAgeSeconds").asDouble()).isZero();
        assertThat(status.path("shadowReads").propertyNames()).containsExactly("match", "missing", "pending", "differs", "error");
        assertThat(status.path("policy").path("secondary").asString()).isEqualTo("queue");
        assertThat(status.path("policy").path("secondaryMode").asString()).isEqualTo("sync");
        assertThat(status.path("policy").path("shadowReadRatio").asDouble()).isEqualTo(0.01);
    }

    @Test
    @Order(2)
    void aMoveThatSkipsAPhaseIsRefusedNamingTheAllowedMoves() {
        HttpResponse<String> response = move("NEW_ONLY");

        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo("urn:datastorage:problem:illegal-phase-transition");
        assertThat(problem.path("allowedMoves").toString()).isEqualTo("[\"DUAL_WRITE_LEGACY_PRIMARY\"]");
        assertThat(problem.path("detail").asString()).contains("LEGACY_ONLY").contains("NEW_ONLY");
        assertThat(version()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void aMoveToThePhaseItIsIsRefused() {
        assertThat(json(move("LEGACY_ONLY")).path("type").asString())
                .isEqualTo("urn:datastorage:problem:illegal-phase-transition");
    }

    @Test
    @Order(4)
    void aMoveFromAVersionThatIsNotCurrentIsRefusedNamingTheCurrentOne() {
        HttpResponse<String> response = put("{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":7}");

        assertThat(response.statusCode()).isEqualTo(409);
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo("urn:datastorage:problem:stale-phase-version");
        assertThat(problem.path("currentVersion").asLong()).isEqualTo(1);
        assertThat(version()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"expectedVersion\":1}",
            "{\"phase\":\"HALFWAY\",\"expectedVersion\":1}",
            "{\"phase\":\"dual_write_legacy_primary\",\"expectedVersion\":1}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\"}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":0}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":1.5}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":\"1\"}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":1,\"reason\":7}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":1,\"reason\":\"a\\u0000b\"}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":1,\"reason\":\"\\ud800\"}",
            "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":1,\"force\":true}",
            "[\"DUAL_WRITE_LEGACY_PRIMARY\"]"})
    @Order(5)
    void aBadBodyIsRefusedWithTheFieldsThatAreWrong(String body) {
        HttpResponse<String> response = put(body);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        assertThat(problem.path("errors")).isNotEmpty();
        assertThat(version()).isEqualTo(1);
    }

    @Test
    @Order(5)
    void aPhaseThatIsNotOneIsQuotedBackWithTheAllowedNames() {
        JsonNode problem = json(put("{\"phase\":\"new_only\",\"expectedVersion\":\"1\"}"));

        assertThat(problem.path("errors").toString())
                .contains("must be one of [LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY, DUAL_WRITE_NEW_PRIMARY, NEW_ONLY]")
                .contains("was 'new_only'").contains("not in quotes");
    }

    @Test
    @Order(6)
    void malformedJsonIsRefused() {
        assertThat(json(put("{\"phase\":")).path("type").asString()).isEqualTo("urn:datastorage:problem:malformed-json");
    }

    @Test
    @Order(7)
    void thePhasesAreWalkedForwardAndBackEachMoveInTheHistoryWithItsCaller() {
        List<String> walk = List.of("DUAL_WRITE_LEGACY_PRIMARY", "DUAL_WRITE_NEW_PRIMARY", "NEW_ONLY",
                "DUAL_WRITE_NEW_PRIMARY", "DUAL_WRITE_LEGACY_PRIMARY", "LEGACY_ONLY");
        long before = version();
        for (String phase : walk) {
            HttpResponse<String> response = move(phase);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(json(response).path("phase").asString()).isEqualTo(phase);
            // this replica writes under the new phase at once
            assertThat(service.get(service.management("/metrics")).body())
                    .containsPattern("datastorage_migration_phase\\{[^}]*phase=\"" + phase + "\"[^}]*} 1\\.0");
        }

        JsonNode status = json(service.get(STATUS));
        assertThat(status.path("version").asLong()).isEqualTo(before + walk.size());
        JsonNode newest = status.path("history").get(0);
        assertThat(newest.path("from").asString()).isEqualTo("DUAL_WRITE_LEGACY_PRIMARY");
        assertThat(newest.path("to").asString()).isEqualTo("LEGACY_ONLY");
        assertThat(newest.path("by").asString()).isEqualTo("127.0.0.1");
        assertThat(newest.path("reason").asString()).isEqualTo("test");
        assertThat(status.path("history")).hasSize((int) before + walk.size());
    }

    @Test
    @Order(8)
    void aRecordIsShownAsEachStoreHoldsItAndComparedByValue() {
        UUID id = UUID.randomUUID();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("name", "legacy-only");
        document.put("namespace", "prod");
        document.put("phase", "Completed");
        document.put("createdAt", "2026-11-20T10:00:00Z");
        document.put("correlationId", "corr-legacy");
        document.put("workflowName", "restart");
        document.put("step", "drain");
        service.context().getBean(LegacyStore.class).put(new LegacyRecord(id, AuditKind.WORKFLOW,
                Instant.parse("2026-11-20T10:00:00Z"), document, null));

        HttpResponse<String> response = service.get("/api/v1/admin/migration/records/workflow/" + id);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode comparison = json(response);
        assertThat(comparison.path("legacy").path("document").path("name").asString()).isEqualTo("legacy-only");
        assertThat(comparison.path("new").isNull()).isTrue();
        assertThat(comparison.path("agree").asBoolean()).isFalse();

        assertThat(move("DUAL_WRITE_LEGACY_PRIMARY").statusCode()).isEqualTo(200);
        String created = service.postJson("/api/v1/audit/workflow", RunningService.validRecord("workflow", "in-both")).body();
        String bothId = JSON.readTree(created).path("id").asString();
        JsonNode both = json(service.get("/api/v1/admin/migration/records/workflow/" + bothId));
        assertThat(both.path("legacy").path("document").path("name").asString()).isEqualTo("in-both");
        assertThat(both.path("new").path("document").path("name").asString()).isEqualTo("in-both");
        assertThat(both.path("agree").asBoolean()).isTrue();
        assertThat(both.path("differences")).isEmpty();
        assertThat(both.path("new").path("recordedBy").asString()).isEqualTo("system:anonymous");
        assertThat(both.path("legacy").has("recordedBy")).isFalse(); // legacy stores record no writer
        assertThat(move("LEGACY_ONLY").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(9)
    void aRecordNeitherStoreHoldsIsNotFoundAndABadIdIsRefused() {
        HttpResponse<String> missing = service.get("/api/v1/admin/migration/records/workflow/" + UUID.randomUUID());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).path("type").asString()).isEqualTo("urn:datastorage:problem:not-found");

        assertThat(service.get("/api/v1/admin/migration/records/workflow/not-a-uuid").statusCode()).isEqualTo(400);
        assertThat(service.get("/api/v1/admin/migration/records/nokind/" + UUID.randomUUID()).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(10)
    void theMetricsNameThePhaseTheQueueAndEveryOutcome() {
        String metrics = service.get(service.management("/metrics")).body();

        assertThat(metrics).containsPattern("datastorage_migration_phase\\{[^}]*phase=\"LEGACY_ONLY\"[^}]*} 1\\.0")
                .containsPattern("datastorage_migration_phase\\{[^}]*phase=\"NEW_ONLY\"[^}]*} 0\\.0")
                .containsPattern("datastorage_migration_queue_depth\\{[^}]*} 0\\.0")
                .containsPattern("datastorage_migration_queue_age_seconds\\{[^}]*} 0\\.0")
                .containsPattern("datastorage_migration_writes_total\\{[^}]*outcome=\"undone\",store=\"legacy\"}")
                .containsPattern("datastorage_migration_shadow_reads_total\\{[^}]*outcome=\"differs\"}")
                .containsPattern("datastorage_job_runs_total\\{[^}]*job=\"secondary-writes\",outcome=\"ran\"}");
    }

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = DatastorageCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int code = command.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    @Order(11)
    void theCommandLineShowsAndMovesThePhaseOfARunningService() {
        String url = "--url=" + service.api("");

        Run status = cli("migration", "status", url);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(JSON.readTree(status.out()).path("phase").asString()).isEqualTo("LEGACY_ONLY");

        Run moved = cli("migration", "phase", "DUAL_WRITE_LEGACY_PRIMARY", "--reason", "from the CLI", url);
        assertThat(moved.code()).as(moved.err()).isZero();
        JsonNode after = JSON.readTree(moved.out());
        assertThat(after.path("phase").asString()).isEqualTo("DUAL_WRITE_LEGACY_PRIMARY");
        assertThat(after.path("history").get(0).path("reason").asString()).isEqualTo("from the CLI");

        Run stale = cli("migration", "phase", "LEGACY_ONLY", "--expected-version", "1", url);
        assertThat(stale.code()).isEqualTo(1);
        assertThat(stale.err()).contains("HTTP 409").contains("not at the expected version 1");

        Run illegal = cli("migration", "phase", "NEW_ONLY", url);
        assertThat(illegal.code()).isEqualTo(1);
        assertThat(illegal.err()).contains("HTTP 409").contains("DUAL_WRITE_NEW_PRIMARY");

        Run invalid = cli("migration", "phase", "LEGACY_ONLY", "--reason", "r".repeat(2000), url);
        assertThat(invalid.code()).isEqualTo(1);
        assertThat(invalid.err()).contains("HTTP 400").contains("reason must be a text of at most 1024 characters");

        Run back = cli("migration", "phase", "LEGACY_ONLY", "--expected-version", String.valueOf(version()),
                "--force", "--reason", "back, past the gates", url);
        assertThat(back.code()).as(back.err()).isZero();
    }

    @Test
    @Order(12)
    void theCommandLineSaysWhenNoServiceAnswers() {
        Run run = cli("migration", "status", "--url=http://127.0.0.1:9");

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).startsWith("cannot reach http://127.0.0.1:9");
    }

    @Test
    void withoutALegacyStoreEveryMigrationEndpointAnswersNotConfigured() {
        RunningService plain = RunningService.shared();
        List<HttpResponse<String>> answers = List.of(plain.get(STATUS),
                plain.get("/api/v1/admin/migration/records/workflow/" + UUID.randomUUID()),
                plain.send(HttpRequest.newBuilder(plain.api(PHASE)).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"phase\":\"NEW_ONLY\",\"expectedVersion\":1}"))));

        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(answer.body()).path("type").asString())
                    .isEqualTo("urn:datastorage:problem:migration-not-configured");
        }
        // Nothing of the migration runs: not even its job's run counters appear.
        assertThat(plain.get(plain.management("/metrics")).body()).doesNotContain("datastorage_migration_")
                .doesNotContain("job=\"secondary-writes\"").contains("job=\"index-repair\"");
        HttpResponse<String> written = plain.postJson("/api/v1/audit/workflow", RunningService.validRecord("workflow", "plain"));
        assertThat(written.headers().firstValue("Migration-Phase")).isEmpty();
        assertThat(JSON.readTree(plain.postJson("/api/v1/audit/search", "{\"query\":\"restart\"}").body()).has("migration"))
                .isFalse();

        Run cli = cli("migration", "status", "--url=" + plain.api(""));
        assertThat(cli.code()).isEqualTo(1);
        assertThat(cli.err()).contains("HTTP 404").contains("without a legacy store");
    }
}
