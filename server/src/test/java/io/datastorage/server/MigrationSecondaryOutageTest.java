package io.datastorage.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The legacy store as the secondary ({@code DUAL_WRITE_NEW_PRIMARY}, policy {@code queue}, mode
 * {@code sync}) is a JSON-files directory that is moved away for {@link #OUTAGE} while clients
 * write: every write is answered 201, the queue's depth grows in the status and the metrics, and
 * once the directory is back the queue drains and both stores hold every acknowledged record with
 * the same document (compared as canonical JSON by the admin records endpoint). Then, with every
 * read shadowed (ratio 1), a record altered directly in the secondary (its file edited; later, with
 * PostgreSQL the secondary, its row updated) counts as {@code differs} and one deleted from it as
 * {@code missing}, in the status and the metrics, with a log line naming the id, never the content.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(OutputCaptureExtension.class)
class MigrationSecondaryOutageTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** How long the secondary is away (fault test 1 of the migration's part 2: 60 s). */
    static final Duration OUTAGE = Duration.ofSeconds(60);
    static final int WRITERS = 2;
    /** Each writer's pause between writes: a steady trickle (about 300 records), not a flood to drain and compare. */
    static final Duration PACE = Duration.ofMillis(200);
    static final Pattern DEPTH_METRIC = Pattern.compile("datastorage_migration_queue_depth\\{[^}]*} ([0-9.]+)");

    static RunningService service;
    static Path legacyDir;
    static final Map<UUID, String> acknowledged = new ConcurrentHashMap<>(); // id -> name

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir, "--datastorage.migration.phase=DUAL_WRITE_NEW_PRIMARY",
                "--datastorage.migration.secondary=queue", "--datastorage.migration.secondary-mode=sync",
                "--datastorage.migration.shadow-read-ratio=1");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    static JsonNode status() {
        return status(service);
    }

    static JsonNode status(RunningService service) {
        return JSON.readTree(service.get("/api/v1/admin/migration").body());
    }

    static long depthMetric(RunningService service) {
        Matcher m = DEPTH_METRIC.matcher(service.get(service.management("/metrics")).body());
        assertThat(m.find()).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    @Order(1)
    void whileTheLegacyDirectoryIsAwayEveryWriteIsAcknowledgedAndQueuedAndOnceBackBothStoresHoldEveryRecord()
            throws Exception {
        Path away = legacyDir.resolveSibling("legacy-away");
        acknowledged.putAll(writeThroughAnOutage(service, "json-files", "legacy",
                () -> Files.move(legacyDir, away), () -> Files.move(away, legacyDir)));
        assertThat(MigrationSides.legacyFiles(legacyDir).keySet()).containsExactlyInAnyOrderElementsOf(acknowledged.keySet());
        assertThat(MigrationSides.legacyFileCopies(legacyDir).values()).as("files per record").containsOnly(1);
        assertThat(MigrationSides.duplicatedRows(service)).as("ids on more than one row in PostgreSQL").isEmpty();
    }

    /** Something done to a store that may fail. */
    interface StoreAction {
        void run() throws Exception;
    }

    /**
     * Takes the secondary down, writes through {@link #OUTAGE} and checks every write was answered
     * 201 while the queue grew, brings it back, waits for the queue to drain and checks that both
     * stores hold every acknowledged record with the same document.
     *
     * @param downStore the store the status must show down meanwhile ({@code legacy} or {@code new}),
     *                  or null when the fault is one a health check does not see
     * @return the acknowledged records, id → name
     */
    static Map<UUID, String> writeThroughAnOutage(RunningService service, String label, String downStore,
                                                  StoreAction down, StoreAction up) throws Exception {
        Map<UUID, String> acknowledged = new ConcurrentHashMap<>();
        Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sequence = new AtomicInteger();
        List<Long> statusDepths = new ArrayList<>();
        List<Long> metricDepths = new ArrayList<>();

        down.run();
        long outageStart = System.nanoTime();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < WRITERS; w++) {
                writers.submit(() -> {
                    while (!stop.get()) {
                        String name = "outage-" + sequence.incrementAndGet();
                        HttpResponse<String> answer = service.postJson("/api/v1/audit/workflow",
                                RunningService.validRecord("workflow", name));
                        if (answer.statusCode() == 201) {
                            acknowledged.put(UUID.fromString(JSON.readTree(answer.body()).path("id").asString()), name);
                        } else {
                            unexpected.add(answer.statusCode() + " " + answer.body());
                        }
                        try {
                            Thread.sleep(PACE);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
            try {
                while (System.nanoTime() - outageStart < OUTAGE.toNanos()) {
                    Thread.sleep(1000);
                    JsonNode status = status(service);
                    if (downStore != null) {
                        assertThat(status.path("stores").path(downStore).path("up").asBoolean()).isFalse();
                    }
                    statusDepths.add(status.path("secondaryQueue").path("depth").asLong());
                    metricDepths.add(depthMetric(service));
                }
            } finally {
                stop.set(true);
            }
        }
        int acknowledgedDuringOutage = acknowledged.size();
        up.run();
        long back = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> MigrationSides.queueDepth(service) == 0);
        double drainSeconds = (System.nanoTime() - back) / 1e9;
        long peak = statusDepths.stream().mapToLong(Long::longValue).max().orElse(0);
        System.out.printf("SECONDARY-OUTAGE %s: acknowledged=%d queueDepthPeak=%d metricDepthPeak=%d"
                        + " drainSeconds=%.1f depths=%s%n", label, acknowledgedDuringOutage, peak,
                metricDepths.stream().mapToLong(Long::longValue).max().orElse(0), drainSeconds, statusDepths);

        assertThat(unexpected).as("answers other than 201 while the secondary was away").isEmpty();
        assertThat(acknowledgedDuringOutage).isPositive();
        // the queue grew while the secondary was away, as the status and the metric show
        assertThat(statusDepths.getLast()).isGreaterThan(statusDepths.getFirst());
        assertThat(metricDepths.getLast()).isGreaterThan(metricDepths.getFirst());
        assertThat(peak).isPositive();

        acknowledged.keySet().forEach(id -> assertBothHoldTheSameDocument(service, id));
        return acknowledged;
    }

    static void assertBothHoldTheSameDocument(RunningService service, UUID id) {
        HttpResponse<String> response = service.get("/api/v1/admin/migration/records/workflow/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode comparison = JSON.readTree(response.body());
        assertThat(comparison.path("legacy").isObject()).as("%s on the legacy store", id).isTrue();
        assertThat(comparison.path("new").isObject()).as("%s in PostgreSQL", id).isTrue();
        assertThat(comparison.path("legacy").path("document")).as("%s's document", id)
                .isEqualTo(comparison.path("new").path("document"));
        assertThat(comparison.path("agree").asBoolean()).as(response.body()).isTrue();
    }

    static long shadowReads(String outcome) {
        return status().path("shadowReads").path(outcome).asLong();
    }

    static void assertCountedOnce(String outcome, long before, UUID id, CapturedOutput output, String content) {
        await().atMost(Duration.ofSeconds(30)).until(() -> shadowReads(outcome) > before);
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_migration_shadow_reads_total\\{[^}]*outcome=\"" + outcome + "\"} [1-9]");
        await().atMost(Duration.ofSeconds(30)).until(() -> output.getOut().contains("record " + id + ": " + outcome));
        if (content != null) {
            assertThat(output.getOut()).doesNotContain(content);
        }
    }

    static Path fileOf(UUID id) throws IOException {
        try (Stream<Path> files = Files.walk(legacyDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith("_" + id + ".json")).findFirst().orElseThrow();
        }
    }

    @Test
    @Order(2)
    void aRecordAlteredOrDeletedInTheSecondaryIsSeenByTheShadowReads(CapturedOutput output) throws Exception {
        List<UUID> ids = new ArrayList<>(acknowledged.keySet());
        assertThat(ids).hasSizeGreaterThanOrEqualTo(3);

        // the legacy store is the secondary: edit one record's file
        UUID altered = ids.get(0);
        Path file = fileOf(altered);
        ObjectNode record = (ObjectNode) JSON.readTree(file.toFile());
        ((ObjectNode) record.path("document")).put("step", "tampered-on-disk");
        Files.writeString(file, JSON.writeValueAsString(record));
        long differs = shadowReads("differs");
        assertThat(service.get("/api/v1/audit/workflow/" + altered).statusCode()).isEqualTo(200);
        assertCountedOnce("differs", differs, altered, output, "tampered-on-disk");

        // deleted from the secondary
        UUID deleted = ids.get(1);
        Files.delete(fileOf(deleted));
        long missing = shadowReads("missing");
        assertThat(service.get("/api/v1/audit/workflow/" + deleted).statusCode()).isEqualTo(200);
        assertCountedOnce("missing", missing, deleted, output, null);

        // PostgreSQL as the secondary: update its row directly
        long version = status().path("version").asLong();
        HttpResponse<String> moved = service.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/phase"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version
                                + ",\"force\":true,\"reason\":\"no validation in this test\"}")));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        UUID updated = ids.get(2);
        com.zaxxer.hikari.HikariDataSource dataSource = service.context().getBean(com.zaxxer.hikari.HikariDataSource.class);
        assertThat(Tampering.update(dataSource, "UPDATE audit_records SET document = jsonb_set(document, "
                + "'{step}', '\"tampered-in-sql\"') WHERE id = ?", updated)).isEqualTo(1);
        differs = shadowReads("differs");
        assertThat(service.get("/api/v1/audit/workflow/" + updated).statusCode()).isEqualTo(200);
        assertCountedOnce("differs", differs, updated, output, "tampered-in-sql");
    }
}
