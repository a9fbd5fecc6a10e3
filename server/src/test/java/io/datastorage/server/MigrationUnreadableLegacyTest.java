package io.datastorage.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.MigrationPhase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.datastorage.server.SyncRecords.VALIDATE;
import static io.datastorage.server.SyncRecords.examples;
import static io.datastorage.server.SyncRecords.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression: a legacy record the legacy store cannot read (here a JSON file that is no longer JSON)
 * was passed over in silence: the sync validation called the stores consistent, so the promotion
 * gates let {@code DUAL_WRITE_LEGACY_PRIMARY → DUAL_WRITE_NEW_PRIMARY} through; the backfill counted
 * it nowhere; and a GET of it answered 500 {@code unreadable-record} whose detail claimed a log line
 * and a metric that did not exist. Now each of them reports it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MigrationUnreadableLegacyTest {
    private static final int GOOD = 5;

    static RunningService service;
    static Path legacyDir;

    @BeforeAll
    static void start() {
        Path dataDir = RunningService.newDataDir();
        try {
            legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir,
                "--datastorage.migration.phase=DUAL_WRITE_LEGACY_PRIMARY",
                "--datastorage.migration.validate-interval=0s");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void aDamagedLegacyFileIsReportedByTheValidationTheGatesTheBackfillAndARead() throws Exception {
        LegacyStore legacy = service.context().getBean(LegacyStore.class);
        List<LegacyRecord> good = SyncRecords.records("good", GOOD);
        good.forEach(legacy::put);
        LegacyRecord damaged = SyncRecords.record("damaged", 0);
        legacy.put(damaged);
        Path file = fileOf(damaged);
        Files.writeString(file, "{\"id\": \"" + damaged.id() + "\", \"kind\": "); // cut off mid-write

        HttpResponse<String> backfilled = Backfills.backfill(service, "legacy-to-new");
        assertThat(backfilled.statusCode()).as(backfilled.body()).isEqualTo(200);
        JsonNode result = Backfills.json(backfilled);
        assertThat(OpenApiSchemaTest.validate("#/components/schemas/BackfillResult", result)).isEmpty();
        assertThat(result.path("complete").asBoolean()).as("it walked everything").isTrue();
        assertThat(result.path("unreadable").asLong()).isEqualTo(1);
        assertThat(result.path("copied").asLong()).isEqualTo(GOOD);
        assertThat(result.path("skipped").asLong()).isZero();
        assertThat(result.path("scanned").asLong()).isEqualTo(GOOD + 1);

        HttpResponse<String> validated = service.send(HttpRequest.newBuilder(service.api(VALIDATE))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(validated.statusCode()).as(validated.body()).isEqualTo(200);
        JsonNode report = json(validated.body());
        assertThat(OpenApiSchemaTest.validate("#/components/schemas/ValidationReport", report)).isEmpty();
        assertThat(report.path("consistent").asBoolean()).isFalse();
        assertThat(report.path("unreadable").asLong()).isEqualTo(1);
        assertThat(examples(report, "unreadable")).containsExactly(damaged.id().toString());
        assertThat(report.path("missingInNew").asLong()).isZero();
        assertThat(report.path("missingInLegacy").asLong()).isZero();
        assertThat(report.path("differing").asLong()).isZero();
        assertThat(service.get(service.management("/metrics")).body())
                .contains("datastorage_migration_validation_differences{application=\"datastorage\",category=\"unreadable\"} 1.0")
                .contains("datastorage_migration_backfill_records_total{application=\"datastorage\",direction=\"legacy-to-new\","
                        + "outcome=\"unreadable\"} 1.0");

        String url = "--url=" + service.api("/").toString().replaceAll("/$", "");
        MigrationApiTest.Run repair = MigrationApiTest.cli("migration", "validate", "--repair", url, "--no-bar");
        assertThat(repair.code()).as("a repair leaves the unreadable record: differences remain").isEqualTo(2);
        JsonNode repaired = json(repair.out());
        assertThat(repaired.path("unreadable").asLong()).isEqualTo(1);
        assertThat(repaired.path("repaired").asLong()).isZero();
        assertThat(examples(repaired, "unreadable")).containsExactly(damaged.id().toString());
        assertThat(Files.readString(file)).as("the repair did not touch the damaged file")
                .isEqualTo("{\"id\": \"" + damaged.id() + "\", \"kind\": ");

        HttpResponse<String> move = service.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/phase"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"phase\":\"" + MigrationPhase.DUAL_WRITE_NEW_PRIMARY
                        + "\",\"expectedVersion\":" + json(service.get("/api/v1/admin/migration").body())
                        .path("version").asLong() + ",\"reason\":\"unreadable test\"}")));
        assertThat(move.statusCode()).as(move.body()).isEqualTo(412);
        List<String> refusals = new ArrayList<>();
        json(move.body()).path("refusals").forEach(refusal -> refusals.add(refusal.asString()));
        assertThat(refusals).singleElement().asString()
                .startsWith("The last validation found differences left").contains("unreadable in the legacy store 1");

        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                "io.datastorage.server.migration.CountedLegacyStore");
        logged.start();
        logger.addAppender(logged);
        double before = metric("datastorage_unreadable_records_total");
        HttpResponse<String> read;
        try {
            read = service.get("/api/v1/audit/" + damaged.kind().pathName() + "/" + damaged.id());
        } finally {
            logger.detachAppender(logged);
        }
        assertThat(read.statusCode()).as(read.body()).isEqualTo(500);
        JsonNode problem = json(read.body());
        assertThat(problem.path("type").asString()).isEqualTo("urn:datastorage:problem:unreadable-record");
        assertThat(problem.path("detail").asString()).contains(damaged.id().toString())
                .contains("reported in the service's log and metrics");
        assertThat(metric("datastorage_unreadable_records_total")).as("counted").isEqualTo(before + 1);
        assertThat(logged.list).as("logged").anySatisfy(event ->
                assertThat(event.getFormattedMessage()).contains(damaged.id().toString()));
        for (LegacyRecord record : good) {
            assertThat(service.get("/api/v1/audit/" + record.kind().pathName() + "/" + record.id()).statusCode())
                    .isEqualTo(200);
        }
    }

    private static Path fileOf(LegacyRecord record) throws IOException {
        try (Stream<Path> files = Files.walk(legacyDir)) {
            return files.filter(path -> path.getFileName().toString().endsWith("_" + record.id() + ".json"))
                    .findFirst().orElseThrow();
        }
    }

    /** The sum of the management port's samples whose line starts with {@code prefix}. */
    private static double metric(String prefix) {
        String metrics = service.get(service.management("/metrics")).body();
        return metrics.lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
