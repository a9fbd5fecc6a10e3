package io.datastorage.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL of the service in the middle of a backfill: the service (a child JVM, JSON-files legacy
 * store, 1,500 records, throttled to 100 records/s so the kill lands mid-run) is killed once 300
 * records are scanned and started again. Its worker resumes the run from the checkpoint: the run
 * ends complete with the start time of the first start (not a new run from zero), having scanned each
 * record once plus at most the page under way at the kill, and every legacy record is in PostgreSQL.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MigrationBackfillCrashTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int RECORDS = 1500;
    private static final Duration BOUND = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ChildService> services = new ArrayList<>();
    private Path dataDir;
    private Path legacyDir;
    private int postgresPort;

    @RegisterExtension
    final AfterTestExecutionCallback printLogsOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            services.forEach(ChildService::printLogTail);
        }
    };

    @BeforeEach
    void createDataDir() throws IOException {
        dataDir = Files.createTempDirectory("datastorage-backfill-crash");
        legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        postgresPort = ChildService.freePort();
    }

    @AfterEach
    void cleanUp() {
        services.forEach(ChildService::kill);
        ChildService.stopLeftoverPostgres(dataDir);
        http.close();
        FileSystemUtils.deleteRecursively(dataDir.toFile());
    }

    private ChildService start(String name) throws IOException {
        ChildService service = ChildService.start(name, dataDir, postgresPort, http,
                "--datastorage.migration.legacy.type=json-files", "--datastorage.migration.legacy.path=" + legacyDir,
                "--datastorage.migration.backfill-rate=100", "--datastorage.jobs.lease-duration=10s");
        services.add(service);
        return service;
    }

    @Test
    void afterASigkillMidBackfillTheRestartedServiceResumesFromTheCheckpointAndCompletes() throws Exception {
        ChildService first = start("first");
        for (int from = 0; from < RECORDS; from += 500) {
            StringBuilder batch = new StringBuilder("[");
            for (int n = from; n < from + 500; n++) {
                batch.append(n == from ? "" : ",").append(RunningService.validRecord("workflow", "crash-" + n));
            }
            HttpResponse<String> created = first.send(HttpRequest.newBuilder(first.api("/api/v1/audit/workflow/batch"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(batch.append("]").toString())));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        http.sendAsync(HttpRequest.newBuilder(first.api(Backfills.PATH)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"direction\":\"legacy-to-new\"}")).build(),
                HttpResponse.BodyHandlers.ofString()); // its answer is lost with the kill
        await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).until(() ->
                JSON.readTree(first.get(Backfills.PATH).body()).path("progress").path("scanned").asLong() >= 300);
        Instant killedAt = Instant.now();
        first.process.destroyForcibly(); // SIGKILL, mid-page
        assertThat(first.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(first.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

        ChildService second = start("second");
        await().atMost(BOUND).pollInterval(Duration.ofMillis(500)).until(() ->
                !JSON.readTree(second.get(Backfills.PATH).body()).path("last").path("legacy-to-new").isNull());
        JsonNode result = JSON.readTree(second.get(Backfills.PATH).body()).path("last").path("legacy-to-new");
        System.out.println("BACKFILL-CRASH result after the restart: " + result);

        assertThat(result.path("complete").asBoolean()).as(result.toString()).isTrue();
        assertThat(Instant.parse(result.path("startedAt").asString())).as("the run that started before the kill")
                .isBefore(killedAt);
        assertThat(result.path("scanned").asLong()).as("each record once, plus at most the page under way at the kill")
                .isBetween((long) RECORDS, (long) RECORDS + 100);
        assertThat(result.path("copied").asLong() + result.path("skipped").asLong())
                .isEqualTo(result.path("scanned").asLong());
        Map<UUID, String> onLegacy = MigrationSides.legacyFiles(legacyDir);
        Map<UUID, String> onNew = MigrationSides.newSide("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres",
                "postgres");
        assertThat(onLegacy).hasSize(RECORDS);
        assertThat(onNew.keySet()).containsExactlyInAnyOrderElementsOf(onLegacy.keySet());
        assertThat(second.log()).contains("resumes from its checkpoint");
    }
}
