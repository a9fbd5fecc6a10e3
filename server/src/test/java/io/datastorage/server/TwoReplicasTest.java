package io.datastorage.server;

import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHealth;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.job.JobLeases;
import io.datastorage.core.job.LeaseHolder;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.server.config.DatabaseServer;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.job.LeasedJobs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two replicas of the service (two application contexts in this JVM) on one PostgreSQL (the first
 * one's embedded server; the second points {@code datastorage.db.url} at it) and one index they
 * share like a remote one. The first writes with {@code write-order=in-transaction}, whose vectors
 * sit in the index before their commit; the second with the remote index's default
 * (commit-then-index). Each replica has its own lease holder id, as two processes would.
 */
class TwoReplicasTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SharedIndex INDEX = new SharedIndex(new InMemoryVectorIndex(384));
    private static final String[] COMMON = {"--datastorage.index.repair-interval=200ms",
            "--datastorage.index.open-for=500ms", "--datastorage.embedding.repair-interval=200ms"};

    static RunningService first;
    static RunningService second;

    @BeforeAll
    static void start() {
        first = RunningService.start(new Class<?>[]{DatastorageApplication.class, SharedIndexConfiguration.class},
                RunningService.newDataDir(), with("--datastorage.index.write-order=in-transaction"));
        DatabaseServer database = first.context().getBean(DatabaseServer.class);
        second = RunningService.start(new Class<?>[]{DatastorageApplication.class, SharedIndexConfiguration.class,
                        SecondHolderConfiguration.class}, RunningService.newDataDir(),
                with("--datastorage.db.url=" + database.jdbcUrl(), "--datastorage.db.user=" + database.user(),
                        "--datastorage.db.password=" + (database.password() == null ? "" : database.password())));
        // The start-up catch-up and reconciliation of both are over before the test counts anything.
        for (RunningService service : List.of(first, second)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> runs(service, "reconcile") >= 1);
        }
    }

    private static String[] with(String... args) {
        List<String> all = new ArrayList<>(List.of(COMMON));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close(); // last: its PostgreSQL serves both
        }
    }

    @Test
    void underWritesToBothAndAnIndexOutageNoRepairBatchIsDoneTwiceNoInFlightEntryIsDeletedAndAllConverges() {
        // 1. The index goes down while both replicas take writes: every record waits for its indexing.
        INDEX.down(true);
        List<UUID> pending = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            RunningService replica = i % 2 == 0 ? first : second;
            HttpResponse<String> created = replica.postJson("/api/v1/audit/workflow", validRecord("workflow", "outage-" + i));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(json(created).get("vectorIndexed").asBoolean()).isFalse();
            pending.add(UUID.fromString(json(created).get("id").asString()));
        }
        assertThat(pendingIndex()).isEqualTo(pending.size());

        // Both replicas schedule the repair. While the first repair batch is in the index but not yet marked
        // indexed, the other replica's repair runs twice more: under the lease it skips; without one it would
        // index the same batch again.
        AtomicBoolean held = new AtomicBoolean();
        INDEX.duringUpsert(entries -> {
            if (Thread.currentThread().getName().startsWith("scheduling") && held.compareAndSet(false, true)) {
                double before = repairRuns();
                await().atMost(Duration.ofSeconds(10)).until(() -> repairRuns() >= before + 2);
            }
        });
        try {
            INDEX.down(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> pendingIndex() == 0);
        } finally {
            INDEX.duringUpsert(entries -> { });
        }
        assertThat(held).as("a repair batch was held").isTrue();
        assertThat(pending).allSatisfy(id -> assertThat(INDEX.upsertsOf(id)).as("upserts of %s", id).isEqualTo(1));
        assertThat(skipped(first, "index-repair") + skipped(second, "index-repair")).isPositive();

        // 2. The second reconciles while the first's in-transaction writes sit in the index uncommitted.
        List<JsonNode> reports = new CopyOnWriteArrayList<>();
        INDEX.duringUpsert(entries -> {
            if (!Thread.currentThread().getName().startsWith("reconcile")) {
                HttpResponse<String> answer = second.postJson("/api/v1/admin/reconcile", "");
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                reports.add(json(answer));
            }
        });
        List<UUID> committed = new ArrayList<>(pending);
        try {
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> created = first.postJson("/api/v1/audit/workflow", validRecord("workflow", "flight-" + i));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                assertThat(json(created).get("vectorIndexed").asBoolean()).isTrue();
                committed.add(UUID.fromString(json(created).get("id").asString()));
            }
        } finally {
            INDEX.duringUpsert(entries -> { });
        }
        assertThat(reports).hasSize(4)
                .allSatisfy(report -> assertThat(report.get("tooYoung").asLong()).as(report.toString()).isPositive());
        assertThat(INDEX.deleted()).as("entries of committed records deleted").doesNotContainAnyElementsOf(committed);

        // 3. Everything converges: nothing pending, the index holds what PostgreSQL holds, both agree.
        await().atMost(Duration.ofSeconds(10)).until(() -> pendingIndex() == 0);
        assertThat(committed).allSatisfy(id -> assertThat(INDEX.get(id)).as("entry of %s", id).isPresent());
        for (RunningService replica : List.of(first, second)) {
            JsonNode report = json(replica.postJson("/api/v1/admin/reconcile", ""));
            assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
            assertThat(report.get("indexEntries").asLong()).as(report.toString()).isEqualTo(report.get("checked").asLong());
            assertThat(report.get("tooYoung").asLong()).as(report.toString()).isZero();
        }
    }

    @Test
    void eachReplicaHoldsTheJobLeasesInPostgresqlUnderItsOwnHolder() {
        assertThat(first.context().getBean(JobLeases.class)).isNotInstanceOf(io.datastorage.core.job.InMemoryJobLeases.class);
        assertThat(second.context().getBean(LeasedJobs.class).holder())
                .isNotEqualTo(first.context().getBean(LeasedJobs.class).holder());
    }

    @Test
    void aReconciliationAskedForWhileAnotherReplicaReconcilesAnswersThatAtOnce() {
        JobLeases leases = first.context().getBean(JobLeases.class);
        assertThat(leases.acquire("reconcile", "another-replica", Duration.ofMinutes(1))).isTrue();
        try {
            HttpResponse<String> answer = first.postJson("/api/v1/admin/reconcile", "");

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
            assertThat(json(answer).get("type").asString()).isEqualTo("urn:datastorage:problem:reconcile-elsewhere");
        } finally {
            leases.release("reconcile", "another-replica");
        }
        assertThat(first.postJson("/api/v1/admin/reconcile", "").statusCode()).isEqualTo(200);
        assertThat(first.get(first.management("/metrics")).body())
                .containsPattern("datastorage_job_runs_total\\{[^}]*job=\"reconcile\"[^}]*outcome=\"skipped\"[^}]*} [1-9]");
    }

    private static long pendingIndex() {
        return first.context().getBean(IndexBacklog.class).countPendingIndex();
    }

    /** Index repair runs that ran or were skipped, on both replicas. */
    private static double repairRuns() {
        return runs(first, "index-repair", "ran") + runs(first, "index-repair", "skipped")
                + runs(second, "index-repair", "ran") + runs(second, "index-repair", "skipped");
    }

    private static double runs(RunningService service, String job, String outcome) {
        return service.context().getBean(MeterRegistry.class).find("datastorage.job.runs").tag("job", job)
                .tag("outcome", outcome).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double runs(RunningService service, String job) {
        return service.context().getBean(MeterRegistry.class).find("datastorage.job.runs").tag("job", job).counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    private static double skipped(RunningService service, String job) {
        return runs(service, job, "skipped");
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** Puts the one shared index in front of each replica's own. Passed as a source, not scanned. */
    static class SharedIndexConfiguration {
        @Bean(destroyMethod = "") // shared: outlives each replica
        @Primary
        VectorIndex sharedIndex() {
            return INDEX;
        }
    }

    /** The second replica's lease holder id: another process would have its own. */
    static class SecondHolderConfiguration {
        @Bean(destroyMethod = "close")
        @Primary
        LeasedJobs secondReplicaJobs(JobLeases leases, DatastorageProperties properties, MeterRegistry registry) {
            return new LeasedJobs(leases, LeaseHolder.thisProcess() + "/second", properties.jobs().leaseDuration(),
                    registry);
        }
    }

    /**
     * An in-memory index shared by both replicas that says it is remote, with a switch that makes
     * it fail, the successful upserts per id, the deleted ids, and a hook run after each upsert.
     */
    static final class SharedIndex implements VectorIndex {
        private final VectorIndex delegate;
        private final AtomicBoolean down = new AtomicBoolean();
        private final Map<UUID, Integer> upserts = new ConcurrentHashMap<>();
        private final Set<UUID> deleted = ConcurrentHashMap.newKeySet();
        private volatile Consumer<List<IndexEntry>> duringUpsert = entries -> { };

        SharedIndex(VectorIndex delegate) {
            this.delegate = delegate;
        }

        void down(boolean isDown) {
            down.set(isDown);
        }

        void duringUpsert(Consumer<List<IndexEntry>> hook) {
            duringUpsert = hook;
        }

        int upsertsOf(UUID id) {
            return upserts.getOrDefault(id, 0);
        }

        Set<UUID> deleted() {
            return Set.copyOf(deleted);
        }

        private void checkUp() {
            if (down.get()) {
                throw new IndexUnavailableException("shared index switched down by the test", null);
            }
        }

        @Override
        public void upsert(List<IndexEntry> entries) {
            checkUp();
            delegate.upsert(entries);
            entries.forEach(entry -> upserts.merge(entry.id(), 1, Integer::sum));
            duringUpsert.accept(entries);
        }

        @Override
        public void delete(Collection<UUID> ids) {
            checkUp();
            deleted.addAll(ids);
            delegate.delete(ids);
        }

        @Override
        public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
            checkUp();
            return delegate.search(vector, k, filter);
        }

        @Override
        public long count() {
            checkUp();
            return delegate.count();
        }

        @Override
        public List<UUID> ids(UUID after, int limit) {
            checkUp();
            return delegate.ids(after, limit);
        }

        @Override
        public Optional<IndexEntry> get(UUID id) {
            checkUp();
            return delegate.get(id);
        }

        @Override
        public Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
            checkUp();
            return delegate.writtenAt(ids);
        }

        @Override
        public boolean remote() {
            return true;
        }

        @Override
        public IndexHealth health() {
            return down.get() ? IndexHealth.down("switched down") : delegate.health();
        }

        @Override
        public int dimension() {
            return delegate.dimension();
        }

        @Override
        public void close() {
            // shared: closed with the JVM
        }
    }
}
