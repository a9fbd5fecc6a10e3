package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.SyncReport;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.datastorage.server.Backfills.backfill;
import static io.datastorage.server.Backfills.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backfill under the faults, on a service with a JSON-files legacy store and its own
 * PostgreSQL, unthrottled ({@code backfill-rate} at its maximum) and with asynchronous secondary
 * writes: the throughput of a backfill of 2,000 records (printed); fault 5, records removed by
 * retention (from the legacy store, then the new one) while the backfill copies them: none is
 * resurrected; fault 4, a backfill racing live writes whose secondary copies the queue's job writes
 * to the same records at the same time: afterwards core's {@code SyncValidator} finds zero
 * differences, so no copy in the new store differs from (is older than) the primary's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class MigrationBackfillFaultTest {
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        Path legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir, "--datastorage.migration.backfill-rate=1000000",
                "--datastorage.migration.secondary-mode=async");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    @Order(1)
    void aBackfillOfTwoThousandJsonFilesRecordsCopiesThemAllAndTellsItsThroughput() {
        Backfills.write(service, "throughput", 2000);

        JsonNode result = json(backfill(service, "legacy-to-new"));

        assertThat(result.path("complete").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("copied").asLong()).isEqualTo(2000);
        System.out.printf("BACKFILL-THROUGHPUT json-files: %d records in %s, %.0f records/s%n",
                result.path("scanned").asLong(), Duration.between(java.time.Instant.parse(result.path("startedAt").asString()),
                        java.time.Instant.parse(result.path("finishedAt").asString())), Backfills.recordsPerSecond(result));
        SyncReport report = Backfills.validate(service);
        assertThat(report.consistent()).as("%s", report).isTrue();
    }

    @Test
    @Order(2)
    void recordsRemovedByRetentionDuringTheBackfillAreNotResurrected() throws Exception {
        List<UUID> ids = Backfills.write(service, "retention", 2000);
        List<UUID> doomed = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += 10) {
            doomed.add(ids.get(i));
        }
        LegacyStore legacy = service.context().getBean(LegacyStore.class);
        DualWriteCoordinator coordinator = service.context().getBean(DualWriteCoordinator.class);
        CompletableFuture<HttpResponse<String>> run = CompletableFuture.supplyAsync(() -> backfill(service, "legacy-to-new"));
        await().atMost(Duration.ofMinutes(1)).until(() -> json(service.get(Backfills.PATH)).path("running").asBoolean()
                || run.isDone());
        int duringTheRun = 0;
        // Retention, as it runs in a migration: the primary's copy first, then the other's.
        for (UUID id : doomed) {
            legacy.remove(AuditKind.WORKFLOW, id);
            coordinator.undo(List.of(new Receipt(id, AuditKind.WORKFLOW, "retention", "retention", false, false)), null);
            if (!run.isDone()) {
                duringTheRun++;
            }
        }
        HttpResponse<String> answer = run.get(3, TimeUnit.MINUTES);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(json(answer).path("complete").asBoolean()).isTrue();
        System.out.printf("BACKFILL-RETENTION: %d of %d removals while the backfill ran%n", duringTheRun, doomed.size());
        RecordStore records = service.context().getBean(RecordStore.class);
        for (UUID id : doomed) {
            assertThat(records.find(AuditKind.WORKFLOW, id)).as("resurrected %s", id).isEmpty();
            assertThat(legacy.find(AuditKind.WORKFLOW, id)).isEmpty();
        }
        SyncReport report = Backfills.validate(service);
        assertThat(report.consistent()).as("%s", report).isTrue();
        assertThat(report.checked()).isEqualTo(4000 - doomed.size());
    }

    @Test
    @Order(3)
    void aBackfillRacingLiveWritesToTheSameRecordsEndsWithZeroDifferences() throws Exception {
        Backfills.write(service, "before-dual", 1000); // history the new store lacks
        Backfills.move(service, "DUAL_WRITE_LEGACY_PRIMARY"); // live writes: legacy now, the new store by the queue's job
        AtomicBoolean stop = new AtomicBoolean();
        Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        List<UUID> live = java.util.Collections.synchronizedList(new ArrayList<>());
        JsonNode result;
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.submit(() -> {
                    for (int i = 0; !stop.get() && i < 15; i++) {
                        try {
                            live.addAll(Backfills.write(service, "live-" + writer + "-" + i, 20));
                        } catch (AssertionError | RuntimeException e) {
                            unexpected.add(String.valueOf(e.getMessage()));
                        }
                    }
                });
            }
            CompletableFuture<HttpResponse<String>> run = CompletableFuture.supplyAsync(() -> backfill(service, "legacy-to-new"));
            HttpResponse<String> answer = run.get(3, TimeUnit.MINUTES);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            result = json(answer);
            stop.set(true);
        }
        assertThat(unexpected).isEmpty();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> json(
                service.get("/api/v1/admin/migration")).path("secondaryQueue").path("depth").asLong() == 0);

        assertThat(result.path("complete").asBoolean()).isTrue();
        SyncReport report = Backfills.validate(service);
        System.out.printf("BACKFILL-RACE: %d live records, backfill copied %d skipped %d; %s%n", live.size(),
                result.path("copied").asLong(), result.path("skipped").asLong(), report);
        assertThat(report.missingInNew()).isZero();
        assertThat(report.missingInLegacy()).isZero();
        assertThat(report.differing()).as("a copy other than the primary's").isZero();
        assertThat(report.consistent()).isTrue();
        assertThat(report.checked()).isEqualTo(4000 - 200 + 1000 + live.size());
    }
}
