package io.datastorage.server;

import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.server.cli.DatastorageCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promotion gates through the real {@code PUT /api/v1/admin/migration/phase}, a forced move,
 * and two rollbacks proven lossless (issue 17, fault test 7, and a rollback from {@code NEW_ONLY}),
 * against a service with a JSON-files legacy store and its own PostgreSQL.
 *
 * <p>Every run the gates read is asked of the service as an operator asks it: a validation through
 * {@code POST /api/v1/admin/migration/validate[?repair=true]}, a backfill through {@code POST
 * /api/v1/admin/migration/backfill}; the gates read what those runs kept. The rollback from
 * {@code NEW_ONLY} takes the path the README recommends: a validation with repair (from the
 * primary, PostgreSQL), which copies what only the new store holds and proves the stores equal in
 * one run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MigrationGatesTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String STATUS = "/api/v1/admin/migration";
    static final String PHASE = "/api/v1/admin/migration/phase";
    static final String VALIDATE = "/api/v1/admin/migration/validate";
    static final String GATE_REFUSED = "urn:datastorage:problem:migration-gate-refused";
    static final String STATUS_SCHEMA = "#/components/schemas/MigrationStatus";

    static RunningService service;
    static Path legacyDir;
    /** Every record answered 201, in any phase: id → name. */
    static final Map<UUID, String> acknowledged = new java.util.LinkedHashMap<>();

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

    static JsonNode status() {
        return JSON.readTree(service.get(STATUS).body());
    }

    static HttpResponse<String> put(String body) {
        return service.send(HttpRequest.newBuilder(service.api(PHASE)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Asks for the move through the gates, from the current version. */
    static HttpResponse<String> move(MigrationPhase to) {
        return put("{\"phase\":\"" + to + "\",\"expectedVersion\":" + status().path("version").asLong()
                + ",\"reason\":\"gates test\"}");
    }

    static void moved(MigrationPhase to) {
        HttpResponse<String> answer = move(to);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("phase").asString()).isEqualTo(to.name());
    }

    /** The refusals of a move the gates refused (412 {@code migration-gate-refused}); nothing changed. */
    static List<String> refused(MigrationPhase to) {
        long before = status().path("version").asLong();
        HttpResponse<String> answer = move(to);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(412);
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.path("type").asString()).isEqualTo(GATE_REFUSED);
        assertThat(OpenApiSchemaTest.validate("#/components/schemas/Problem", problem)).isEmpty();
        assertThat(problem.path("to").asString()).isEqualTo(to.name());
        assertThat(problem.path("currentVersion").asLong()).isEqualTo(before);
        assertThat(status().path("version").asLong()).as("nothing changed").isEqualTo(before);
        List<String> refusals = new ArrayList<>();
        problem.path("refusals").forEach(r -> refusals.add(r.asString()));
        assertThat(refusals).isNotEmpty();
        return refusals;
    }

    /** The status's refusals for the move to {@code to}. */
    static List<String> gate(MigrationPhase to) {
        List<String> refusals = new ArrayList<>();
        for (JsonNode gate : status().path("gates")) {
            if (gate.path("to").asString().equals(to.name())) {
                gate.path("refusals").forEach(r -> refusals.add(r.asString()));
                return refusals;
            }
        }
        throw new AssertionError("no gate to " + to + " in " + status().path("gates"));
    }

    static void write(int count, String prefix) {
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            HttpResponse<String> created = service.postJson("/api/v1/audit/workflow", RunningService.validRecord("workflow", name));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            acknowledged.put(UUID.fromString(JSON.readTree(created.body()).path("id").asString()), name);
        }
    }

    /**
     * Runs a validation through {@code POST /api/v1/admin/migration/validate}, repairing from the
     * current primary when asked; its report (the {@code ValidationReport} schema).
     */
    static JsonNode validate(boolean repair) {
        long version = status().path("version").asLong();
        HttpResponse<String> answer = service.send(HttpRequest.newBuilder(service.api(VALIDATE + (repair ? "?repair=true" : "")))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(answer.body());
        assertThat(OpenApiSchemaTest.validate("#/components/schemas/ValidationReport", report)).isEmpty();
        assertThat(report.path("phaseVersion").asLong()).as("started under the current version").isEqualTo(version);
        return report;
    }

    /** Runs a {@code legacy-to-new} backfill through {@code POST /api/v1/admin/migration/backfill}; its result. */
    static JsonNode backfillLegacyToNew() {
        assertThat(status().path("phase").asString()).isEqualTo(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY.name());
        HttpResponse<String> answer = Backfills.backfill(service, "legacy-to-new");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(answer.body());
        assertThat(OpenApiSchemaTest.validate("#/components/schemas/BackfillResult", result)).isEmpty();
        assertThat(result.path("complete").asBoolean()).as(answer.body()).isTrue();
        return result;
    }

    /** Every acknowledged record is in the legacy directory and reads back by id through the service. */
    static void legacyHoldsEveryAcknowledgedRecord() {
        Map<UUID, String> files = MigrationSides.legacyFiles(legacyDir);
        assertThat(files).as("the legacy store holds every acknowledged record").containsAllEntriesOf(acknowledged);
        for (Map.Entry<UUID, String> record : acknowledged.entrySet()) {
            HttpResponse<String> read = service.get("/api/v1/audit/workflow/" + record.getKey());
            assertThat(read.statusCode()).as(record.getValue()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).path("name").asString()).isEqualTo(record.getValue());
        }
    }

    @Test
    @Order(1)
    void theStatusShowsEachAllowedMoveWithItsGatesAndNoRunYet() {
        JsonNode status = status();

        assertThat(status.path("gates")).hasSize(1);
        assertThat(gate(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY)).as("only an empty queue is needed").isEmpty();
        assertThat(status.path("lastValidation").isNull()).isTrue();
        assertThat(status.path("lastBackfill").path("legacy-to-new").isNull()).isTrue();
        assertThat(status.path("lastBackfill").path("new-to-legacy").isNull()).isTrue();
        assertThat(status.path("phaseStore").path("up").asBoolean()).isTrue();
        assertThat(status.path("phaseStore").path("lastRefreshedAt").asString()).isNotBlank();
        assertThat(status.path("phaseStore").path("downSince").isNull()).isTrue();
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_migration_phase_store_up\\{[^}]*} 1\\.0");
        assertThat(OpenApiSchemaTest.validate(STATUS_SCHEMA, status)).isEmpty();
    }

    @Test
    @Order(2)
    void aForcedMoveNeedsAReasonAndIsRecordedAsForced() {
        long version = status().path("version").asLong();
        for (String body : List.of("{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version + ",\"force\":true}",
                "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version + ",\"force\":true,\"reason\":\"  \"}",
                "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version + ",\"force\":\"true\",\"reason\":\"r\"}")) {
            HttpResponse<String> answer = put(body);
            assertThat(answer.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(answer.body()).path("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        }

        HttpResponse<String> forced = put("{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version
                + ",\"force\":true,\"reason\":\"forced, to see it recorded\"}");
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
        JsonNode newest = JSON.readTree(forced.body()).path("history").get(0);
        assertThat(newest.path("forced").asBoolean()).isTrue();
        assertThat(newest.path("reason").asString()).isEqualTo("forced, to see it recorded");
        assertThat(JSON.readTree(forced.body()).path("history").get(1).path("forced").asBoolean()).isFalse();

        // and back, through the CLI: refused by the gates (no validation yet), then forced
        Run back = cli("migration", "phase", "LEGACY_ONLY", "--url=" + service.api(""));
        assertThat(back.code()).isEqualTo(1);
        assertThat(back.err()).contains("HTTP 412").contains("No validation has finished");
        Run noReason = cli("migration", "phase", "LEGACY_ONLY", "--force", "--url=" + service.api(""));
        assertThat(noReason.code()).isEqualTo(1);
        assertThat(noReason.err()).contains("--force needs a --reason");
        Run forcedBack = cli("migration", "phase", "LEGACY_ONLY", "--force", "--reason", "back to start",
                "--url=" + service.api(""));
        assertThat(forcedBack.code()).as(forcedBack.err()).isZero();
        assertThat(JSON.readTree(forcedBack.out()).path("history").get(0).path("forced").asBoolean()).isTrue();
    }

    /**
     * Fault test 7: forward through the gates with traffic in every phase, then back
     * {@code DUAL_WRITE_NEW_PRIMARY → DUAL_WRITE_LEGACY_PRIMARY → LEGACY_ONLY}; the legacy store then
     * holds everything acknowledged.
     */
    @Test
    @Order(3)
    void aRollbackFromNewPrimaryToLegacyOnlyAfterTrafficLeavesEverythingInTheLegacyStore() {
        write(20, "legacy-only"); // history the new store lacks

        moved(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        write(20, "dual-legacy-primary");
        assertThat(gate(MigrationPhase.DUAL_WRITE_NEW_PRIMARY)).hasSize(2);
        List<String> refusals = refused(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        assertThat(refusals.get(0)).startsWith("No validation has finished");
        assertThat(refusals.get(1)).startsWith("No legacy-to-new backfill has finished");

        JsonNode backfill = backfillLegacyToNew();
        assertThat(backfill.path("copied").asLong()).as("the history written in LEGACY_ONLY").isEqualTo(20);
        assertThat(refused(MigrationPhase.DUAL_WRITE_NEW_PRIMARY)).singleElement().asString()
                .startsWith("No validation has finished");
        JsonNode beforePromotion = validate(false);
        assertThat(beforePromotion.path("consistent").asBoolean()).as("the backfill copied the history").isTrue();
        assertThat(status().path("lastValidation")).as("the status shows the run as its POST answered")
                .isEqualTo(beforePromotion);
        assertThat(status().path("lastBackfill").path("legacy-to-new")).as("the status shows the run as its POST answered")
                .isEqualTo(backfill);
        assertThat(gate(MigrationPhase.DUAL_WRITE_NEW_PRIMARY)).isEmpty();
        moved(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        assertThat(newSideComplete()).as("PostgreSQL leads, nothing queued, the history backfilled").isTrue();
        assertThat(status().path("lastBackfill").path("legacy-to-new").path("complete").asBoolean()).isTrue();
        assertThat(status().path("lastValidation").path("consistent").asBoolean()).isTrue();
        assertThat(OpenApiSchemaTest.validate(STATUS_SCHEMA, status())).as("with runs and a forced move").isEmpty();

        write(20, "dual-new-primary");
        assertThat(refused(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY)).singleElement().asString()
                .contains("started under phase version");
        assertThat(validate(false).path("consistent").asBoolean()).isTrue();
        moved(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);

        write(20, "dual-legacy-primary-again");
        refused(MigrationPhase.LEGACY_ONLY);
        assertThat(validate(false).path("consistent").asBoolean()).isTrue();
        moved(MigrationPhase.LEGACY_ONLY);

        legacyHoldsEveryAcknowledgedRecord();
        assertThat(acknowledged).hasSize(80);
    }

    /**
     * A rollback from {@code NEW_ONLY}: what was written there is only in the new store, so the
     * gate refuses the move back until a validation repaired from the primary (the new side) copied
     * it, as the README recommends (the step back asks for no backfill); then every acknowledged
     * record reads from the legacy primary.
     */
    @Test
    @Order(4)
    void aRollbackFromNewOnlyIsRefusedUntilARepairCopiedWhatOnlyTheNewStoreHolds() {
        moved(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        backfillLegacyToNew();
        validate(false);
        moved(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        validate(false);
        moved(MigrationPhase.NEW_ONLY);

        write(15, "new-only");
        List<UUID> newOnly = acknowledged.entrySet().stream().filter(e -> e.getValue().startsWith("new-only-"))
                .map(Map.Entry::getKey).toList();
        assertThat(MigrationSides.legacyFiles(legacyDir)).as("written to the new store only").doesNotContainKeys(
                newOnly.toArray(UUID[]::new));

        assertThat(refused(MigrationPhase.DUAL_WRITE_NEW_PRIMARY)).singleElement().asString()
                .contains("started under phase version");
        JsonNode found = validate(false);
        assertThat(found.path("missingInLegacy").asLong()).isEqualTo(15);
        assertThat(refused(MigrationPhase.DUAL_WRITE_NEW_PRIMARY)).singleElement().asString()
                .contains("found differences left (missing in new 0, missing in legacy 15, differing 0)");

        JsonNode repaired = validate(true);
        assertThat(repaired.path("repaired").asLong()).isEqualTo(15);
        assertThat(repaired.path("consistent").asBoolean()).isTrue();
        assertThat(status().path("lastValidation").path("repaired").asLong()).isEqualTo(15);
        moved(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        assertThat(validate(false).path("consistent").asBoolean()).isTrue();
        moved(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);

        legacyHoldsEveryAcknowledgedRecord(); // read from the legacy primary
        assertThat(acknowledged).hasSize(95);
    }

    /**
     * Search's {@code newSideComplete} needs the history copied in the current run of dual writes:
     * promoted by force after a new start of dual writes, the backfill of the earlier run does not
     * count and search says so, until a {@code legacy-to-new} backfill completes (here, in
     * {@code DUAL_WRITE_NEW_PRIMARY}).
     */
    @Test
    @Order(5)
    void searchSaysTheNewSideIsCompleteOnlyOnceTheCurrentDualWritesHistoryWasBackfilled() throws InterruptedException {
        forced(MigrationPhase.LEGACY_ONLY);
        write(5, "legacy-only-again"); // history the new store lacks
        forced(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        assertThat(gate(MigrationPhase.DUAL_WRITE_NEW_PRIMARY)).anySatisfy(refusal ->
                assertThat(refusal).contains("before the current dual writes began"));
        forced(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        assertThat(newSideComplete()).as("the legacy-to-new backfill is from an earlier run of dual writes").isFalse();

        HttpResponse<String> answer = Backfills.backfill(service, "legacy-to-new");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("copied").asLong()).isEqualTo(5);

        assertThat(eventuallyNewSideComplete()).as("once the backfill ended").isTrue();
        assertThat(validate(false).path("consistent").asBoolean()).isTrue();
    }

    static void forced(MigrationPhase to) {
        HttpResponse<String> answer = put("{\"phase\":\"" + to + "\",\"expectedVersion\":" + status().path("version").asLong()
                + ",\"force\":true,\"reason\":\"gates test, forced\"}");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    /** Search's {@code migration.newSideComplete}, now. */
    static boolean newSideComplete() {
        HttpResponse<String> response = service.postJson("/api/v1/audit/search", "{\"query\":\"gates\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(OpenApiSchemaTest.validate(OpenApiSchemaTest.SEARCH_ANSWER, answer)).isEmpty();
        return answer.path("migration").path("newSideComplete").asBoolean();
    }

    /**
     * Whether search says {@code newSideComplete} within 10 s: its backfill fact may be read up to
     * {@code NewSideHistory.TTL} (3 s) late under an unchanged phase version; the bound only ends a
     * wait, it is not what is asserted.
     */
    static boolean eventuallyNewSideComplete() throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            if (newSideComplete()) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
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
}
