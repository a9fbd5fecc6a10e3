package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.integrity.ChainHasher;
import io.datastorage.core.integrity.ChainVerifier;
import io.datastorage.core.integrity.IntegrityReport;
import io.datastorage.core.retention.LegalHold;
import io.datastorage.core.retention.NewLegalHold;
import io.datastorage.core.retention.RetentionJob;
import io.datastorage.core.retention.RetentionListener;
import io.datastorage.core.retention.RetentionPeriods;
import io.datastorage.core.retention.RetentionPlan;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retention and legal holds on a real PostgreSQL, with time moved by a {@link ManualClock}: expired
 * months dropped whole per kind, holds that keep months (across a month boundary, by namespace,
 * until they expire or are released), the dry run, runs that stop midway, an index that is down.
 */
class PostgresRetentionTest {
    private static final Instant WRITTEN = Instant.parse("2026-11-20T12:00:00Z");
    private static final AuditValidator VALIDATOR =
            new AuditValidator(ValidationPolicy.DEFAULT, Clock.fixed(WRITTEN, ZoneOffset.UTC));
    private static final float[] VECTOR = {0.6f, 0.8f, 0f};
    private static final YearMonth JAN = YearMonth.of(2026, 1);
    private static final YearMonth FEB = YearMonth.of(2026, 2);

    private HikariDataSource dataSource;
    private PostgresStore store;
    private ManualClock clock;
    private SwitchableIndex index;

    @BeforeEach
    void database() {
        dataSource = PostgresTestDatabase.freshDatabase();
        store = PostgresStore.open(dataSource, Clock.fixed(WRITTEN, ZoneOffset.UTC), 0);
        clock = new ManualClock(Instant.parse("2026-04-15T00:00:00Z"));
        index = new SwitchableIndex(new InMemoryVectorIndex(3));
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private UUID write(AuditKind kind, String createdAt, String correlationId, String namespace) {
        return write(kind, createdAt, correlationId, namespace, null);
    }

    private UUID write(AuditKind kind, String createdAt, String correlationId, String namespace, String key) {
        Map<String, Object> body = AuditFixtures.valid(kind);
        body.put("createdAt", createdAt);
        body.put("correlationId", correlationId);
        body.put("namespace", namespace);
        List<Receipt> receipts = store.records().write(List.of(new NewRecord(VALIDATOR.validate(kind, body), VECTOR)),
                key == null ? null : new IdempotencyToken(key, "f-" + key)).receipts();
        List<IndexableRecord> pending = store.indexBacklog().pendingIndex(100);
        index.upsert(pending.stream().map(IndexableRecord::toEntry).toList());
        store.indexBacklog().completeIndex(pending);
        return receipts.getFirst().id();
    }

    private RetentionJob job(Map<AuditKind, Duration> periods) {
        return new RetentionJob(store.retention(), index, new RetentionPeriods(periods), clock, RetentionListener.NONE);
    }

    private boolean stored(AuditKind kind, UUID id) {
        return store.records().find(kind, id).isPresent();
    }

    private LegalHold hold(String correlationId, String namespace, Instant expiresAt) {
        return store.legalHolds().create(new NewLegalHold(correlationId, namespace, "litigation 42", expiresAt),
                "system:serviceaccount:legal:hold-keeper", clock.instant());
    }

    private long count(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aKindWithA30DayPeriodDropsItsExpiredMonthsAndKeepsItsOthersAndTheOtherKinds() {
        UUID janRemediation = write(AuditKind.REMEDIATION, "2026-01-10T10:00:00Z", "c1", "prod");
        UUID febRemediation = write(AuditKind.REMEDIATION, "2026-02-27T10:00:00Z", "c2", "prod");
        UUID marRemediation = write(AuditKind.REMEDIATION, "2026-03-20T10:00:00Z", "c3", "prod");
        UUID janWorkflow = write(AuditKind.WORKFLOW, "2026-01-10T10:00:00Z", "c1", "prod");
        PostgresTestDatabase.execute(dataSource, "INSERT INTO integrity_chains VALUES ('remediation', '2026-01-01', 1, "
                + "'\\x00'), ('workflow', '2026-01-01', 1, '\\x00')");
        PostgresTestDatabase.execute(dataSource, "INSERT INTO integrity_checkpoints VALUES ('remediation', "
                + "'2026-01-01', 1, '\\x00', now())");

        long dropped = job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30))).runOnce();

        // now 2026-04-15 − 30 d = 2026-03-16: January and February have ended before it, March has not.
        assertThat(dropped).isEqualTo(2);
        assertThat(stored(AuditKind.REMEDIATION, janRemediation)).isFalse();
        assertThat(stored(AuditKind.REMEDIATION, febRemediation)).isFalse();
        assertThat(stored(AuditKind.REMEDIATION, marRemediation)).isTrue();
        assertThat(stored(AuditKind.WORKFLOW, janWorkflow)).isTrue();
        assertThat(index.get(janRemediation)).isEmpty();
        assertThat(index.get(janWorkflow)).isPresent();
        assertThat(count("SELECT count(*) FROM integrity_chains WHERE kind = 'remediation'")).isZero();
        assertThat(count("SELECT count(*) FROM integrity_checkpoints")).isZero();
        assertThat(count("SELECT count(*) FROM integrity_chains WHERE kind = 'workflow'")).isOne();
        assertThat(count("SELECT count(*) FROM retention_runs WHERE kind = 'remediation'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM retention_index_deletes")).isZero();
        assertThat(store.maintenance().partitionMonths()).contains(JAN).doesNotContain(FEB); // a workflow keeps January
    }

    @Test
    void aDroppedMonthTakesItsSealedChainAlongAndEveryChainLeftStillVerifiesWhole() {
        write(AuditKind.REMEDIATION, "2026-01-10T10:00:00Z", "c1", "prod");
        write(AuditKind.REMEDIATION, "2026-01-11T10:00:00Z", "c1", "prod");
        write(AuditKind.WORKFLOW, "2026-01-10T10:00:00Z", "c1", "prod");
        write(AuditKind.REMEDIATION, "2026-03-20T10:00:00Z", "c3", "prod");
        ChainHasher sha256 = ChainHasher.sha256();
        // sealed as the sealing job would: records received up to now (the records' own clock, not the test's)
        assertThat(store.integrity().seal(sha256, Instant.now().plusSeconds(60), 1000, 100)).isEqualTo(4);
        ChainVerifier verifier = new ChainVerifier(store.integrity(), sha256, Clock.systemUTC(), Duration.ofMinutes(5), 3);
        assertThat(verifier.verify(true, ChainVerifier.Listener.NONE).chains()).isEqualTo(3);

        assertThat(job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30))).runOnce()).isEqualTo(2);

        // January's remediation chain went whole with its records (and is not a missing chain); the
        // workflow chain of the same month and March's remediation chain are untouched and whole.
        IntegrityReport full = verifier.verify(true, ChainVerifier.Listener.NONE);
        assertThat(full.consistent()).as(full.toString()).isTrue();
        assertThat(full.chains()).isEqualTo(2);
        assertThat(full.records()).isEqualTo(2);
        assertThat(verifier.verify(false, ChainVerifier.Listener.NONE).consistent()).isTrue();
    }

    @Test
    void aHoldCrossingAMonthBoundaryKeepsBothMonthsWholeUntilItIsReleased() {
        UUID lastOfJanuary = write(AuditKind.REMEDIATION, "2026-01-31T23:59:00Z", "incident-7", "prod");
        UUID firstOfFebruary = write(AuditKind.EXECUTION, "2026-02-01T00:00:00Z", "incident-7", "prod");
        UUID otherJanuary = write(AuditKind.REMEDIATION, "2026-01-05T00:00:00Z", "other", "prod");
        UUID otherFebruary = write(AuditKind.REMEDIATION, "2026-02-05T00:00:00Z", "other", "prod");
        LegalHold hold = hold("incident-7", null, null);
        RetentionJob job = job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30),
                AuditKind.EXECUTION, Duration.ofDays(30)));

        RetentionPlan plan = job.plan();
        assertThat(job.runOnce()).isZero();

        assertThat(plan.drops()).isEmpty();
        assertThat(plan.blocked()).containsExactly(
                new RetentionPlan.Blocked(AuditKind.REMEDIATION, JAN, 2, List.of(hold.id())),
                new RetentionPlan.Blocked(AuditKind.REMEDIATION, FEB, 1, List.of(hold.id())),
                new RetentionPlan.Blocked(AuditKind.EXECUTION, FEB, 1, List.of(hold.id())));
        assertThat(List.of(lastOfJanuary, otherJanuary, otherFebruary))
                .allMatch(id -> stored(AuditKind.REMEDIATION, id));
        assertThat(stored(AuditKind.EXECUTION, firstOfFebruary)).isTrue();

        store.legalHolds().release(hold.id(), "system:serviceaccount:legal:hold-keeper", clock.instant());
        assertThat(job.runOnce()).isEqualTo(4);

        assertThat(List.of(lastOfJanuary, otherJanuary, otherFebruary))
                .noneMatch(id -> stored(AuditKind.REMEDIATION, id));
        assertThat(stored(AuditKind.EXECUTION, firstOfFebruary)).isFalse();
        assertThat(store.legalHolds().list(false, clock.instant())).isEmpty();
        assertThat(store.legalHolds().list(true, clock.instant())).singleElement()
                .satisfies(released -> assertThat(released.releasedBy()).isEqualTo("system:serviceaccount:legal:hold-keeper"));
    }

    @Test
    void aNamespaceHoldKeepsTheMonthsOfThatNamespaceAndOnlyThem() {
        UUID held = write(AuditKind.WORKFLOW, "2026-01-10T00:00:00Z", "a", "payments");
        UUID free = write(AuditKind.WORKFLOW, "2026-02-10T00:00:00Z", "b", "prod");
        LegalHold hold = hold(null, "payments", null);

        RetentionJob job = job(Map.of(AuditKind.WORKFLOW, Duration.ofDays(30)));
        assertThat(job.plan().blocked()).singleElement()
                .isEqualTo(new RetentionPlan.Blocked(AuditKind.WORKFLOW, JAN, 1, List.of(hold.id())));
        assertThat(job.runOnce()).isOne();

        assertThat(stored(AuditKind.WORKFLOW, held)).isTrue();
        assertThat(stored(AuditKind.WORKFLOW, free)).isFalse();
    }

    @Test
    void anExpiredHoldStopsBlocking() {
        UUID id = write(AuditKind.AI_ANALYSIS, "2026-01-10T00:00:00Z", "case-1", "prod");
        hold("case-1", null, clock.instant().plus(Duration.ofDays(2)));
        RetentionJob job = job(Map.of(AuditKind.AI_ANALYSIS, Duration.ofDays(30)));

        assertThat(job.runOnce()).isZero();
        clock.advance(Duration.ofDays(2)); // expiresAt is now: no longer in the future

        assertThat(store.legalHolds().list(false, clock.instant())).isEmpty();
        assertThat(job.runOnce()).isOne();
        assertThat(stored(AuditKind.AI_ANALYSIS, id)).isFalse();
    }

    @Test
    void theDryRunIsWhatTheRunThenDrops() {
        write(AuditKind.REMEDIATION, "2026-01-10T00:00:00Z", "a", "prod");
        write(AuditKind.REMEDIATION, "2026-01-11T00:00:00Z", "b", "prod");
        write(AuditKind.EXECUTION, "2026-02-10T00:00:00Z", "c", "prod");
        write(AuditKind.EXECUTION, "2026-03-30T00:00:00Z", "d", "prod");
        write(AuditKind.WORKFLOW, "2026-01-10T00:00:00Z", "e", "prod");
        RetentionJob job = job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30),
                AuditKind.EXECUTION, Duration.ofDays(30)));

        RetentionPlan plan = job.plan();
        assertThat(plan.drops()).containsExactly(new RetentionPlan.Drop(AuditKind.REMEDIATION, JAN, 2),
                new RetentionPlan.Drop(AuditKind.EXECUTION, FEB, 1));
        long dropped = job.runOnce();

        assertThat(dropped).isEqualTo(plan.records());
        assertThat(count("SELECT count(*) FROM retention_runs")).isEqualTo(plan.drops().size());
        assertThat(count("SELECT sum(records) FROM retention_runs")).isEqualTo(plan.records());
        assertThat(job.plan().drops()).isEmpty();
    }

    @Test
    void aRunThatLosesItsLeaseMidwayIsFinishedByTheNextAndARepeatedRunDropsNothing() {
        write(AuditKind.REMEDIATION, "2026-01-10T00:00:00Z", "a", "prod");
        write(AuditKind.REMEDIATION, "2026-02-10T00:00:00Z", "b", "prod");
        write(AuditKind.WORKFLOW, "2026-01-10T00:00:00Z", "c", "prod");
        RetentionJob job = job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30), AuditKind.WORKFLOW, Duration.ofDays(30)));
        RetentionJob replica = job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30), AuditKind.WORKFLOW, Duration.ofDays(30)));
        AtomicInteger asked = new AtomicInteger();

        long first = job.runOnce(() -> asked.incrementAndGet() < 1); // the lease is gone before the second month

        assertThat(first).isOne();
        assertThat(replica.plan().drops()).hasSize(2);
        assertThat(replica.runOnce()).isEqualTo(2);
        assertThat(job.runOnce()).isZero();
        assertThat(count("SELECT count(*) FROM audit_records")).isZero();
        assertThat(count("SELECT count(*) FROM retention_index_deletes")).isZero();
        assertThat(index.count()).isZero();
    }

    @Test
    void anIndexThatIsDownLeavesTheDeletesPendingUntilItIsBack() {
        UUID id = write(AuditKind.REMEDIATION, "2026-01-10T00:00:00Z", "a", "prod");
        RetentionJob job = job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30)));
        index.down(true);

        assertThat(job.runOnce()).isOne();

        assertThat(stored(AuditKind.REMEDIATION, id)).isFalse();
        assertThat(store.retention().pendingIndexDeletes(10)).containsExactly(id);
        index.down(false);
        assertThat(index.get(id)).isPresent();

        assertThat(job.runOnce()).isZero();

        assertThat(store.retention().pendingIndexDeletes(10)).isEmpty();
        assertThat(index.get(id)).isEmpty();
    }

    @Test
    void anIdempotencyKeyOfADroppedRecordIsForgottenSoARetryIsANewRequest() {
        write(AuditKind.REMEDIATION, "2026-01-10T00:00:00Z", "a", "prod", "key-dropped");
        write(AuditKind.REMEDIATION, "2026-03-30T00:00:00Z", "b", "prod", "key-kept");

        job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30))).runOnce();

        assertThat(count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'key-dropped'")).isZero();
        assertThat(count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'key-kept'")).isOne();
    }

    @Test
    void anEmptyPartitionExpiredForEveryKindWithAPeriodIsDroppedAndALateWriteCreatesItAgain() {
        write(AuditKind.REMEDIATION, "2026-01-10T00:00:00Z", "a", "prod");
        write(AuditKind.WORKFLOW, "2026-02-10T00:00:00Z", "b", "prod");
        assertThat(store.maintenance().partitionMonths()).contains(JAN, FEB);

        job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30))).runOnce();

        // January is empty and expired for remediation, the only kind with a period; February still holds a workflow.
        assertThat(store.maintenance().partitionMonths()).doesNotContain(JAN).contains(FEB);
        UUID late = write(AuditKind.REMEDIATION, "2026-01-20T00:00:00Z", "late", "prod");
        assertThat(stored(AuditKind.REMEDIATION, late)).isTrue();
        assertThat(store.maintenance().partitionMonths()).contains(JAN);
    }

    @Test
    void aDeleteWithoutRetentionIsStillRefused() {
        write(AuditKind.REMEDIATION, "2026-01-10T00:00:00Z", "a", "prod");

        assertThatThrownBy(() -> PostgresTestDatabase.execute(dataSource, "DELETE FROM audit_records"))
                .hasMessageContaining("audit records are immutable");
    }

    @Test
    void aHoldMadeAfterThePlanIsSeenByTheDropsTransaction() {
        UUID id = write(AuditKind.REMEDIATION, "2026-01-10T00:00:00Z", "a", "prod");
        RetentionJob job = job(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30)));
        assertThat(job.plan().drops()).hasSize(1);
        hold(null, "prod", null);

        assertThat(store.retention().drop(AuditKind.REMEDIATION, JAN, "run-1", clock.instant()).blocked()).isTrue();

        assertThat(stored(AuditKind.REMEDIATION, id)).isTrue();
        assertThat(count("SELECT count(*) FROM retention_runs")).isZero();
    }

    @Test
    void twoRunsOverlappingPastALapsedLeaseDropEachRecordOnce() throws Exception {
        for (int day = 1; day <= 20; day++) {
            write(AuditKind.EXECUTION, String.format("2026-01-%02dT00:00:00Z", day), "a" + day, "prod");
            write(AuditKind.EXECUTION, String.format("2026-02-%02dT00:00:00Z", day), "b" + day, "prod");
        }
        Map<AuditKind, Duration> periods = Map.of(AuditKind.EXECUTION, Duration.ofDays(30));
        RetentionJob one = job(periods);
        RetentionJob other = job(periods);

        java.util.concurrent.CompletableFuture<Long> first = java.util.concurrent.CompletableFuture.supplyAsync(one::runOnce);
        java.util.concurrent.CompletableFuture<Long> second = java.util.concurrent.CompletableFuture.supplyAsync(other::runOnce);

        assertThat(first.get() + second.get()).isEqualTo(40);
        assertThat(count("SELECT count(*) FROM audit_records")).isZero();
        assertThat(count("SELECT sum(records) FROM retention_runs")).isEqualTo(40);
        assertThat(index.count()).isZero();
    }
}
