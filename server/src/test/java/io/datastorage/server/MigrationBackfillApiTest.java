package io.datastorage.server;

import io.datastorage.core.job.JobLeases;
import io.datastorage.core.migration.BackfillJob;
import io.datastorage.core.migration.SyncReport;
import io.datastorage.core.store.RecordStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.datastorage.server.Backfills.backfill;
import static io.datastorage.server.Backfills.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backfill's admin API and command line against a service with a JSON-files legacy store and its
 * own PostgreSQL, at the default rate (500 records/s, so a run of 1,000 records is under way long
 * enough to be joined): the result, joining, 409 {@code backfill-running} and
 * {@code backfill-elsewhere}, 400 for bad bodies, 404 without a legacy store, both directions, the
 * metrics and {@code ./datastorage migration backfill}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MigrationBackfillApiTest {
    static RunningService service;
    static List<UUID> history;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        Path legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir);
        history = Backfills.write(service, "history", 1000); // LEGACY_ONLY: on the legacy store only
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void beforeAnyRunTheStatusShowsNoneRunningAndNoResults() {
        HttpResponse<String> response = service.get(Backfills.PATH);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode status = json(response);
        assertThat(status.path("running").asBoolean()).isFalse();
        assertThat(status.path("direction").isNull()).isTrue();
        assertThat(status.path("progress").isNull()).isTrue();
        assertThat(status.path("last").propertyNames()).containsExactly("legacy-to-new", "new-to-legacy");
        assertThat(status.path("last").path("legacy-to-new").isNull()).isTrue();
    }

    @ParameterizedTest
    @Order(2)
    @ValueSource(strings = {"{}", "{\"direction\":\"sideways\"}", "{\"direction\":1}", "[]", "{\"direction\":\"legacy-to-new\",\"x\":1}"})
    void aBadBodyIs400NamingTheField(String body) {
        HttpResponse<String> response = service.postJson(Backfills.PATH, body);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problem = json(response);
        assertThat(problem.path("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        assertThat(problem.path("errors").toString()).containsAnyOf("direction", "\"x\"", "JSON object");
        assertThat(json(service.get(Backfills.PATH)).path("running").asBoolean()).isFalse();
    }

    @Test
    @Order(3)
    void malformedJsonAndAQueryParameterAre400() {
        assertThat(service.postJson(Backfills.PATH, "{\"direction\":").statusCode()).isEqualTo(400);
        assertThat(service.postJson(Backfills.PATH + "?direction=legacy-to-new", "{\"direction\":\"legacy-to-new\"}")
                .statusCode()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void aRunIsJoinedByTheSameDirectionRefusedToTheOtherAndAnswersItsResult() throws Exception {
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> backfill(service, "legacy-to-new"));
        await().atMost(Duration.ofMinutes(1)).until(() -> json(service.get(Backfills.PATH)).path("running").asBoolean()
                || first.isDone());
        JsonNode during = json(service.get(Backfills.PATH));
        HttpResponse<String> other = backfill(service, "new-to-legacy");
        HttpResponse<String> joined = backfill(service, "legacy-to-new");
        HttpResponse<String> answer = first.get(2, TimeUnit.MINUTES);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode result = json(answer);
        assertThat(result.propertyNames()).containsExactly("direction", "phaseVersion", "startedAt", "finishedAt",
                "complete", "scanned", "copied", "skipped", "unreadable", "error");
        assertThat(result.path("direction").asString()).isEqualTo("legacy-to-new");
        assertThat(result.path("complete").asBoolean()).isTrue();
        assertThat(result.path("error").isNull()).isTrue();
        assertThat(result.path("scanned").asLong()).isEqualTo(1000);
        assertThat(result.path("copied").asLong()).isEqualTo(1000);
        assertThat(result.path("phaseVersion").asLong()).isEqualTo(1);
        if (during.path("running").asBoolean()) {
            assertThat(during.path("direction").asString()).isEqualTo("legacy-to-new");
            assertThat(during.path("progress").path("total").asLong()).isEqualTo(1000);
            assertThat(other.statusCode()).as(other.body()).isEqualTo(409);
            assertThat(json(other).path("type").asString()).isEqualTo("urn:datastorage:problem:backfill-running");
            assertThat(joined.statusCode()).isEqualTo(200);
            assertThat(json(joined).path("startedAt").asString()).as("the same run").isEqualTo(result.path("startedAt").asString());
        }
        // Searchable: embedded and indexed through the normal pipeline.
        io.datastorage.core.store.AuditRecord copied = service.context().getBean(RecordStore.class)
                .find(io.datastorage.core.audit.AuditKind.WORKFLOW, history.get(500)).orElseThrow();
        assertThat(copied.embedded()).isTrue();
        assertThat(copied.vectorIndexed()).isTrue();
        SyncReport report = Backfills.validate(service);
        assertThat(report.consistent()).as("%s", report).isTrue();
        assertThat(report.checked()).isEqualTo(1000);
        assertThat(json(service.get(Backfills.PATH)).path("last").path("legacy-to-new")).isEqualTo(result);
    }

    @Test
    @Order(5)
    void aSecondRunCopiesNothing() {
        JsonNode again = json(backfill(service, "legacy-to-new"));

        assertThat(again.path("complete").asBoolean()).isTrue();
        assertThat(again.path("copied").asLong()).isZero();
        assertThat(again.path("skipped").asLong()).isEqualTo(1000);
    }

    @Test
    @Order(6)
    void whileAnotherReplicaHoldsTheLeaseARunIs409BackfillElsewhere() {
        JobLeases leases = service.context().getBean(JobLeases.class);
        assertThat(leases.acquire(BackfillJob.NAME, "another-replica", Duration.ofMinutes(1))).isTrue();
        try {
            HttpResponse<String> response = backfill(service, "legacy-to-new");

            assertThat(response.statusCode()).isEqualTo(409);
            assertThat(json(response).path("type").asString()).isEqualTo("urn:datastorage:problem:backfill-elsewhere");
        } finally {
            leases.release(BackfillJob.NAME, "another-replica");
        }
    }

    @Test
    @Order(7)
    void newToLegacyCopiesWhatOnlyTheNewStoreHolds() {
        Backfills.move(service, "DUAL_WRITE_LEGACY_PRIMARY");
        Backfills.move(service, "DUAL_WRITE_NEW_PRIMARY");
        Backfills.move(service, "NEW_ONLY");
        List<UUID> recent = Backfills.write(service, "recent", 150); // NEW_ONLY: in PostgreSQL only
        assertThat(Backfills.validate(service).missingInLegacy()).isEqualTo(150);

        JsonNode result = json(backfill(service, "new-to-legacy"));

        assertThat(result.path("complete").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("phaseVersion").asLong()).isEqualTo(4);
        assertThat(result.path("scanned").asLong()).isEqualTo(1150);
        assertThat(result.path("copied").asLong()).isEqualTo(150);
        assertThat(result.path("skipped").asLong()).isEqualTo(1000);
        assertThat(Backfills.validate(service).consistent()).isTrue();
        assertThat(service.context().getBean(io.datastorage.core.migration.LegacyStore.class)
                .find(io.datastorage.core.audit.AuditKind.WORKFLOW, recent.get(0))).isPresent();
        assertThat(json(service.get(Backfills.PATH)).path("last").path("new-to-legacy")).isEqualTo(result);
    }

    @Test
    @Order(8)
    void theMetricsCountTheRecordsAndTheRuns() {
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_migration_backfill_records_total\\{[^}]*direction=\"legacy-to-new\",outcome=\"copied\"} 1000\\.0")
                .containsPattern("datastorage_migration_backfill_records_total\\{[^}]*direction=\"new-to-legacy\",outcome=\"copied\"} 150\\.0")
                .containsPattern("datastorage_migration_backfill_records_total\\{[^}]*direction=\"legacy-to-new\",outcome=\"skipped\"} 1000\\.0")
                .containsPattern("datastorage_migration_backfill_running\\{[^}]*direction=\"legacy-to-new\"} 0\\.0")
                .containsPattern("datastorage_migration_backfill_progress_ratio\\{[^}]*direction=\"new-to-legacy\"} 0\\.0")
                .containsPattern("datastorage_job_runs_total\\{[^}]*job=\"migration-backfill\",outcome=\"ran\"} [3-9]")
                .containsPattern("datastorage_job_runs_total\\{[^}]*job=\"migration-backfill\",outcome=\"skipped\"} [1-9]");
    }

    @Test
    @Order(9)
    void theCommandLineRunsABackfillAndPrintsTheResult() {
        MigrationApiTest.Run run = MigrationApiTest.cli("migration", "backfill", "--direction", "legacy-to-new",
                "--no-bar", "--url=" + service.api(""));

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode result = Backfills.JSON.readTree(run.out());
        assertThat(result.path("complete").asBoolean()).isTrue();
        assertThat(result.path("scanned").asLong()).isEqualTo(1150);

        MigrationApiTest.Run bad = MigrationApiTest.cli("migration", "backfill", "--direction", "up",
                "--url=" + service.api(""));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("legacy-to-new, new-to-legacy");
    }

    @Test
    @Order(10)
    void withoutALegacyStoreBothAre404MigrationNotConfigured() {
        RunningService plain = RunningService.shared();
        for (HttpResponse<String> answer : List.of(plain.get(Backfills.PATH), plain.send(HttpRequest.newBuilder(
                        plain.api(Backfills.PATH)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"direction\":\"legacy-to-new\"}"))))) {
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(json(answer).path("type").asString()).isEqualTo("urn:datastorage:problem:migration-not-configured");
        }
        assertThat(plain.context().getBeanNamesForType(RecordStore.class)).isNotEmpty();
        assertThat(plain.get(plain.management("/metrics")).body()).doesNotContain("job=\"migration-backfill\"");
    }
}
