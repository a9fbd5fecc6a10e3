package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.WriteOrder;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.VectorLedger;
import io.datastorage.index.lucene.LuceneVectorIndex;
import io.datastorage.server.cli.DatastorageCli;
import io.datastorage.server.cli.ReconcileCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The record goes to PostgreSQL and its vector to the index, both or neither, or later by repair. */
class DualWriteTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Class<?>[] SOURCES = {DatastorageApplication.class, SwitchableIndexConfiguration.class};
    static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(SOURCES, RunningService.newDataDir(),
                "--datastorage.index.repair-interval=200ms", "--datastorage.index.open-for=500ms");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    @Test
    void aWriteReachesBothStoresUnderOneId() {
        HttpResponse<String> created = service.postJson("/api/v1/audit/remediation", validRecord("remediation", "dual-1"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("vectorIndexed").asBoolean()).isTrue();
        String id = json(created).get("id").asString();
        assertThat(json(service.get("/api/v1/audit/remediation/" + id)).get("vectorIndexed").asBoolean()).isTrue();
        VectorIndex index = service.context().getBean(VectorIndex.class);
        await().atMost(Duration.ofSeconds(1)).until(() -> index.get(UUID.fromString(id)).isPresent());
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_dualwrite_success_total\\{[^}]*} [1-9]");
    }

    @Test
    void whileTheIndexIsDownWritesAreAcceptedAndIndexedWhenItReturns() {
        SwitchableIndexConfiguration.of(service).down(true);
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> created = service.postJson("/api/v1/audit/workflow", validRecord("workflow", "down-" + i));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                assertThat(json(created).get("vectorIndexed").asBoolean()).isFalse();
                ids.add(json(created).get("id").asString());
            }
            assertThat(service.get(service.management("/metrics")).body())
                    .containsPattern("datastorage_fallback_mode_total\\{[^}]*} [1-9]")
                    .containsPattern("datastorage_index_pending\\{[^}]*} [1-9]");
        } finally {
            SwitchableIndexConfiguration.of(service).down(false);
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String id : ids) {
                assertThat(json(service.get("/api/v1/audit/workflow/" + id)).get("vectorIndexed").asBoolean()).isTrue();
            }
        });
        VectorIndex index = service.context().getBean(VectorIndex.class);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(ids).allMatch(id -> index.get(UUID.fromString(id)).isPresent()));
    }

    /**
     * The issue's fault test: writers keep going while the index is down for a few seconds. Every
     * write is answered 201, and once the index is back it holds exactly what PostgreSQL holds.
     * Prints what was measured (pending records, time to converge, repair rate).
     */
    @Test
    void anIndexOutageDuringSustainedWritesLosesNothingAndConverges() throws Exception {
        IndexBacklog backlog = service.context().getBean(IndexBacklog.class);
        VectorLedger ledger = service.context().getBean(VectorLedger.class);
        VectorIndex index = service.context().getBean(VectorIndex.class);
        AtomicBoolean writing = new AtomicBoolean(true);
        Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
        Queue<String> refused = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; writing.get(); i++) {
                    HttpResponse<String> answer = service.postJson("/api/v1/audit/execution",
                            validRecord("execution", "outage-" + writer + "-" + i));
                    if (answer.statusCode() == 201) {
                        acknowledged.add(json(answer).get("id").asString());
                    } else {
                        refused.add(answer.statusCode() + " " + answer.body());
                    }
                }
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= 20);
        SwitchableIndexConfiguration.of(service).down(true);
        int beforeOutage = acknowledged.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= beforeOutage + 150);
        long pendingAtRecovery = backlog.countPendingIndex();
        SwitchableIndexConfiguration.of(service).down(false);
        long recovered = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.size() >= beforeOutage + 200);
        writing.set(false);
        for (Thread writer : writers) {
            writer.join();
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            index.refresh();
            return backlog.countPendingIndex() == 0 && index.count() == ledger.vectorDigest(1).total();
        });
        double convergedSeconds = (System.nanoTime() - recovered) / 1e9;

        assertThat(refused).as("every write is answered 201").isEmpty();
        assertThat(pendingAtRecovery).isPositive();
        assertThat(acknowledged).allMatch(id -> index.get(UUID.fromString(id)).isPresent());
        JsonNode report = json(service.postJson("/api/v1/admin/reconcile", ""));
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
        System.out.printf("INDEX-OUTAGE: acknowledged=%d, pending when the index came back=%d, converged %.2f s later "
                        + "(repair rate >= %.0f records/s while writes went on)%n", acknowledged.size(), pendingAtRecovery,
                convergedSeconds, pendingAtRecovery / convergedSeconds);
    }

    @Test
    void reconciliationReportsAndRepairsWhatTheIndexLostOrShouldNotHold() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> created = service.postJson("/api/v1/audit/aianalysis", validRecord("aianalysis", "rec-" + i));
            ids.add(UUID.fromString(json(created).get("id").asString()));
        }
        VectorIndex index = service.context().getBean(VectorIndex.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> service.context().getBean(IndexBacklog.class).countPendingIndex() == 0);
        index.delete(ids.subList(0, 2));
        float[] stray = new float[index.dimension()];
        stray[0] = 1;
        UUID strayId = UUID.randomUUID();
        index.upsert(List.of(new IndexEntry(strayId, stray,
                new IndexMetadata(AuditKind.WORKFLOW, "default", "Running", Instant.now(), null))));
        // Left behind long ago: younger than the grace period, it could be another replica's write in progress.
        SwitchableIndexConfiguration.of(service).backdate(strayId, Instant.now().minus(Duration.ofHours(1)));

        HttpResponse<String> answer = service.postJson("/api/v1/admin/reconcile", "");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode report = json(answer);
        assertThat(report.get("consistent").asBoolean()).isFalse();
        assertThat(report.get("missing").asLong()).isEqualTo(2);
        assertThat(report.get("orphans").asLong()).isEqualTo(1);
        assertThat(report.get("changed").asLong()).isZero();
        assertThat(report.get("repaired").asLong()).isEqualTo(3);
        assertThat(report.get("checked").asLong()).isPositive();
        assertThat(report.get("durationMillis").isIntegralNumber()).isTrue();
        assertThat(ids).allMatch(id -> index.get(id).isPresent());

        JsonNode again = json(service.postJson("/api/v1/admin/reconcile", ""));
        assertThat(again.get("consistent").asBoolean()).as(again.toString()).isTrue();
        JsonNode status = json(service.get("/api/v1/admin/reconcile"));
        assertThat(status.get("running").asBoolean()).isFalse();
        assertThat(status.get("lastReport").get("consistent").asBoolean()).isTrue();
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_reconcile_runs_total\\{[^}]*outcome=\"repaired\"[^}]*} [1-9]")
                .containsPattern("datastorage_reconcile_divergence_total\\{[^}]*kind=\"orphan\"[^}]*} [1-9]")
                .containsPattern("datastorage_reconcile_progress_ratio\\{[^}]*} 1.0")
                .containsPattern("datastorage_index_lag_seconds\\{[^}]*} 0.0");
    }

    @Test
    void theCommandLineAsksARunningServiceToReconcileAndPrintsTheReport() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new DatastorageCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

        int code = cli.execute("reconcile", "--url", service.api("/").toString(), "--bar");

        assertThat(code).as(err.toString()).isZero();
        JsonNode report = JSON.readTree(out.toString());
        assertThat(report.get("checked").asLong()).isPositive();
        assertThat(report.has("consistent")).isTrue();
        assertThat(new io.datastorage.server.cli.LongJob.Progress(5, 10, "slices").bar()).isEqualTo("[" + "#".repeat(15) + " ".repeat(15) + "] 5/10 slices");

        int unreachable = cli.execute("reconcile", "--url", "http://127.0.0.1:1");
        assertThat(unreachable).isEqualTo(1);
        assertThat(err.toString()).contains("cannot reach http://127.0.0.1:1");
    }

    @Test
    void reconciliationWhileTheIndexIsDownIsRefusedWithRetryAfter() {
        SwitchableIndexConfiguration.of(service).down(true);
        try {
            HttpResponse<String> answer = service.postJson("/api/v1/admin/reconcile", "");

            assertThat(answer.statusCode()).isEqualTo(503);
            assertThat(answer.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(answer).get("type").asString()).isEqualTo("urn:datastorage:problem:index-unavailable");
            JsonNode status = json(service.get("/api/v1/admin/reconcile"));
            assertThat(status.get("lastError").get("message").asString()).isNotBlank();
        } finally {
            SwitchableIndexConfiguration.of(service).down(false);
        }
    }

    /**
     * {@code datastorage.index.write-order} picks the order: {@code auto} keeps the in-process
     * Lucene index inside the transaction; {@code commit-then-index} commits first, then indexes
     * and clears the marks, and whatever the index does after the commit, the write is answered 201.
     */
    @Test
    void theWriteOrderPropertyPicksTheOrderAndCommitThenIndexKeepsTheFallbackPromises() {
        assertThat(service.context().getBean(DualWriteCoordinator.class).writeOrder()).isEqualTo(WriteOrder.IN_TRANSACTION);

        try (RunningService later = RunningService.start(SOURCES, RunningService.newDataDir(),
                "--datastorage.index.write-order=commit-then-index", "--datastorage.index.repair-interval=200ms",
                "--datastorage.index.open-for=500ms")) {
            assertThat(later.context().getBean(DualWriteCoordinator.class).writeOrder())
                    .isEqualTo(WriteOrder.COMMIT_THEN_INDEX);
            VectorIndex index = later.context().getBean(VectorIndex.class);

            HttpResponse<String> indexed = later.postJson("/api/v1/audit/remediation", validRecord("remediation", "order-1"),
                    "Idempotency-Key", "order-1");
            assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(201);
            assertThat(json(indexed).get("vectorIndexed").asBoolean()).isTrue();
            String id = json(indexed).get("id").asString();
            assertThat(json(later.get("/api/v1/audit/remediation/" + id)).get("vectorIndexed").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(1)).until(() -> index.get(UUID.fromString(id)).isPresent());
            HttpResponse<String> replayed = later.postJson("/api/v1/audit/remediation",
                    validRecord("remediation", "order-1"), "Idempotency-Key", "order-1");
            assertThat(replayed.headers().firstValue("Idempotent-Replayed")).hasValue("true");
            assertThat(json(replayed)).as("the replay says what the first answer said").isEqualTo(json(indexed));

            SwitchableIndexConfiguration.of(later).down(true);
            String pending;
            try {
                HttpResponse<String> fellBack = later.postJson("/api/v1/audit/workflow", validRecord("workflow", "order-2"));
                assertThat(fellBack.statusCode()).as(fellBack.body()).isEqualTo(201);
                assertThat(json(fellBack).get("vectorIndexed").asBoolean()).isFalse();
                pending = json(fellBack).get("id").asString();
            } finally {
                SwitchableIndexConfiguration.of(later).down(false);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    json(later.get("/api/v1/audit/workflow/" + pending)).get("vectorIndexed").asBoolean()).isTrue());
            await().atMost(Duration.ofSeconds(1)).until(() -> index.get(UUID.fromString(pending)).isPresent());
        }
    }

    @Test
    void strictModeRefusesWritesWhileTheIndexIsDown() {
        try (RunningService strict = RunningService.start(SOURCES, RunningService.newDataDir(), "--datastorage.index.mode=strict")) {
            SwitchableIndexConfiguration.of(strict).down(true);
            HttpResponse<String> refused = strict.postJson("/api/v1/audit/execution", validRecord("execution", "strict"));

            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(refused).get("type").asString()).isEqualTo("urn:datastorage:problem:index-unavailable");
            assertThat(strict.get(strict.management("/metrics")).body())
                    .containsPattern("datastorage_dualwrite_failure_total\\{[^}]*reason=\"vectordb_failure\"[^}]*} [1-9]")
                    .containsPattern("datastorage_index_pending\\{[^}]*} 0.0");
        }
    }

    @Test
    void anIndexLostOnDiskIsRebuiltFromPostgresqlAtStartUp() {
        Path dataDir = RunningService.newDataDir();
        List<String> ids = new ArrayList<>();
        try (RunningService first = RunningService.start(dataDir)) {
            for (int i = 0; i < 12; i++) {
                HttpResponse<String> created = first.postJson("/api/v1/audit/aianalysis", validRecord("aianalysis", "lost-" + i));
                assertThat(json(created).get("vectorIndexed").asBoolean()).isTrue();
                ids.add(json(created).get("id").asString());
            }
        }
        FileSystemUtils.deleteRecursively(dataDir.resolve("index").toFile());

        // The new index commits long before the catch-up starts: the catch-up must still replay everything.
        try (RunningService second = RunningService.start(dataDir, "--datastorage.index.commit-interval=100ms",
                "--datastorage.index.catch-up-margin=0s")) {
            VectorIndex index = second.context().getBean(VectorIndex.class);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(index.count()).isEqualTo(12);
                assertThat(ids).allMatch(id -> index.get(UUID.fromString(id)).isPresent());
            });
        }
    }

    @Test
    void entriesLostBeforeTheLastCommitAreFoundByTheStartUpReconciliation() {
        Path dataDir = RunningService.newDataDir();
        List<UUID> ids = new ArrayList<>();
        try (RunningService first = RunningService.start(dataDir)) {
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> created = first.postJson("/api/v1/audit/workflow", validRecord("workflow", "old-" + i));
                ids.add(UUID.fromString(json(created).get("id").asString()));
            }
        }
        // Entries gone, yet the index's last commit is recent: no replay window covers them.
        try (LuceneVectorIndex damaged = LuceneVectorIndex.open(dataDir.resolve("index"), 384, Duration.ofHours(1))) {
            damaged.delete(ids.subList(0, 3));
            damaged.commit();
        }

        try (RunningService second = RunningService.start(dataDir, "--datastorage.index.catch-up-margin=0s")) {
            VectorIndex index = second.context().getBean(VectorIndex.class);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode last = json(second.get("/api/v1/admin/reconcile")).get("lastReport");
                assertThat(last.isObject()).isTrue();
                assertThat(last.get("missing").asLong()).isEqualTo(3);
            });
            index.refresh();
            assertThat(ids).allMatch(id -> index.get(id).isPresent());
            assertThat(index.count()).isEqualTo(8);
        }
    }
}
