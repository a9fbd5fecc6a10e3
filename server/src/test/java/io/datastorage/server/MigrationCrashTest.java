package io.datastorage.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGKILL of the service between a write's primary and its secondary: in each dual phase, with a
 * JSON-files legacy store, policy {@code queue} and mode {@code sync}, eight clients write until
 * {@link #ACKNOWLEDGED_BEFORE_KILL} records are acknowledged, the service (a child JVM) is killed
 * with writes in flight, and started again. After the restart the queue job converges the stores:
 * every acknowledged record is on both, no record is on PostgreSQL only, and a record on the legacy
 * store only exists only with the legacy store as the primary (the one gap: killed after the legacy
 * put, before the fence's commit, so never acknowledged); their number is printed. No record is
 * held twice by either store.
 */
class MigrationCrashTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int WRITERS = 8;
    private static final int ACKNOWLEDGED_BEFORE_KILL = 200;
    private static final Duration BOUND = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
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
        dataDir = Files.createTempDirectory("datastorage-migration-crash");
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

    private ChildService start(String name, String phase) throws IOException {
        ChildService service = ChildService.start(name, dataDir, postgresPort, http,
                "--datastorage.migration.legacy.type=json-files", "--datastorage.migration.legacy.path=" + legacyDir,
                "--datastorage.migration.phase=" + phase, "--datastorage.migration.secondary=queue",
                "--datastorage.migration.secondary-mode=sync");
        services.add(service);
        return service;
    }

    @ParameterizedTest
    @ValueSource(strings = {"DUAL_WRITE_LEGACY_PRIMARY", "DUAL_WRITE_NEW_PRIMARY"})
    void afterASigkillBetweenPrimaryAndSecondaryTheQueueConvergesBothStoresForEveryAcknowledgedRecord(String phase)
            throws Exception {
        ChildService first = start("first", phase);
        Map<UUID, String> acknowledged = new ConcurrentHashMap<>(); // id -> name
        Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean killing = new AtomicBoolean();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.submit(() -> keepWriting(first, writer, acknowledged, unexpected, killing));
            }
            try {
                await().atMost(BOUND).until(() -> acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL || !unexpected.isEmpty());
            } finally {
                killing.set(true);
                first.process.destroyForcibly(); // SIGKILL, with writes in flight
            }
        }
        assertThat(first.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(unexpected).as("answers other than 201 before the kill").isEmpty();
        assertThat(first.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

        ChildService second = start("second", phase);
        long restarted = System.nanoTime();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(500)).until(() -> JSON.readTree(
                second.get("/api/v1/admin/migration").body()).path("secondaryQueue").path("depth").asLong() == 0);
        double convergeSeconds = (System.nanoTime() - restarted) / 1e9;

        Map<UUID, String> onLegacy = MigrationSides.legacyFiles(legacyDir);
        Map<UUID, String> onNew = MigrationSides.newSide("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres",
                "postgres");
        Set<UUID> unacknowledged = new HashSet<>(onLegacy.keySet());
        unacknowledged.addAll(onNew.keySet());
        unacknowledged.removeAll(acknowledged.keySet());
        long legacyOnly = unacknowledged.stream().filter(id -> !onNew.containsKey(id)).count();
        long newOnly = unacknowledged.stream().filter(id -> !onLegacy.containsKey(id)).count();
        long both = unacknowledged.size() - legacyOnly - newOnly;
        System.out.printf("MIGRATION-CRASH %s: acknowledged=%d unacknowledgedOnBoth=%d unacknowledgedLegacyOnly=%d"
                        + " unacknowledgedNewOnly=%d queueConvergedSecondsAfterRestart=%.1f%n", phase,
                acknowledged.size(), both, legacyOnly, newOnly, convergeSeconds);

        assertThat(onLegacy.keySet()).as("acknowledged records on the legacy store").containsAll(acknowledged.keySet());
        assertThat(onNew.keySet()).as("acknowledged records in PostgreSQL").containsAll(acknowledged.keySet());
        assertThat(newOnly).as("records in PostgreSQL only, after the queue converged").isZero();
        assertThat(MigrationSides.legacyFileCopies(legacyDir).values()).as("files per record").containsOnly(1);
        assertThat(MigrationSides.duplicatedRows("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", "postgres"))
                .as("ids on more than one row in PostgreSQL").isEmpty();
        if (phase.equals("DUAL_WRITE_NEW_PRIMARY")) {
            assertThat(legacyOnly).as("records on the legacy store only, with PostgreSQL the primary").isZero();
        }
        for (UUID id : acknowledged.keySet()) {
            HttpResponse<String> read = second.get("/api/v1/audit/workflow/" + id);
            assertThat(read.statusCode()).as("GET %s after the restart", id).isEqualTo(200);
        }
    }

    /** Writes records until the kill; remembers each one acknowledged with 201. */
    private void keepWriting(ChildService service, int writer, Map<UUID, String> acknowledged,
                             Queue<String> unexpected, AtomicBoolean killing) {
        for (int i = 0; !killing.get(); i++) {
            String name = "migration-crash-" + writer + "-" + i;
            try {
                HttpResponse<String> created = service.send(HttpRequest.newBuilder(service.api("/api/v1/audit/workflow"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(RunningService.validRecord("workflow", name))));
                if (created.statusCode() == 201) {
                    acknowledged.put(UUID.fromString(JSON.readTree(created.body()).get("id").asString()), name);
                } else if (!killing.get()) {
                    unexpected.add(created.statusCode() + " " + created.body());
                }
            } catch (UncheckedIOException e) {
                if (!killing.get()) {
                    unexpected.add(e.getCause().toString());
                }
                return; // in flight at the kill: not acknowledged
            }
        }
    }
}
