package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.PendingEmbedding;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresAuditStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private static HikariDataSource dataSource;
    private static PostgresStore postgres;
    private static AuditStore store;

    @BeforeAll
    static void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        postgres = PostgresStore.open(dataSource, CLOCK, 3);
        store = postgres.auditStore();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    static Map<String, Object> remediation(String name, String createdAt) {
        return AuditFixtures.remediation(name, createdAt);
    }

    static final float[] VECTOR = {0.6f, 0.8f, 0f};

    /** A validated remediation with its embedding. */
    private static NewRecord draft(Map<String, Object> body) {
        return new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION, body), VECTOR);
    }

    @Test
    void storesTextVerbatimAndReadsItBack() {
        Map<String, Object> body = remediation("用户-τεστ <script>alert(1)</script>", "2026-11-20T12:15:30.123456+01:00");
        body.put("message", "'; DROP TABLE audit_records; -- and my-app-delete-jobs \uD83D\uDE80 \\ \" \n\t");
        body.put("labels", Map.of("team", "<b>sre</b>", "empty", ""));
        body.put("rootCause", "x".repeat(10 * 1024));

        Receipt receipt = store.write(List.of(draft(body)), null).receipts().getFirst();
        AuditRecord record = store.find(AuditKind.REMEDIATION, receipt.id()).orElseThrow();

        assertThat(record.document()).containsExactlyInAnyOrderEntriesOf(body);
        assertThat(record.document().get("createdAt")).isEqualTo("2026-11-20T12:15:30.123456+01:00");
        assertThat(receipt.createdAt()).isEqualTo("2026-11-20T12:15:30.123456+01:00");
        assertThat(record.receivedAt()).isEqualTo(CLOCK.instant());
    }

    @Test
    void keepsNumbersExact() {
        Map<String, Object> body = AuditFixtures.valid(AuditKind.AI_ANALYSIS);
        body.put("confidence", new BigDecimal("0.8750"));
        AuditDraft draft = VALIDATOR.validate(AuditKind.AI_ANALYSIS, body);

        UUID id = store.write(List.of(new NewRecord(draft, VECTOR)), null).receipts().getFirst().id();

        assertThat(store.find(AuditKind.AI_ANALYSIS, id).orElseThrow().document().get("confidence"))
                .isEqualTo(new BigDecimal("0.8750"));
    }

    @Test
    void findIsScopedToTheKind() {
        UUID id = store.write(List.of(draft(remediation("scoped", "2026-11-20T10:00:00Z"))), null).receipts().getFirst().id();

        assertThat(store.find(AuditKind.REMEDIATION, id)).isPresent();
        assertThat(store.find(AuditKind.WORKFLOW, id)).isEmpty();
        assertThat(store.find(AuditKind.REMEDIATION, UUID.randomUUID())).isEmpty();
    }

    @Test
    void batchIsAtomicWhenTheDatabaseRejectsOneRow() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION reject_poison() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.name = 'poison' THEN RAISE EXCEPTION 'poison row'; END IF; RETURN NEW; END $$""");
            s.execute("CREATE TRIGGER reject_poison BEFORE INSERT ON audit_records FOR EACH ROW EXECUTE FUNCTION reject_poison()");
        }
        try {
            List<NewRecord> batch = List.of(draft(remediation("atomic-1", "2026-11-20T10:00:00Z")),
                    draft(remediation("atomic-2", "2026-11-20T10:00:00Z")),
                    draft(remediation("poison", "2026-11-20T10:00:00Z")));

            assertThatThrownBy(() -> store.write(batch, new IdempotencyToken("atomic-key", "f")))
                    .isInstanceOf(StoreException.class);

            assertThat(count("SELECT count(*) FROM audit_records WHERE name LIKE 'atomic-%'")).isZero();
            assertThat(count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'atomic-key'")).isZero();
        } finally {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TRIGGER reject_poison ON audit_records");
            }
        }
    }

    @Test
    void replaysTheFirstResultForTheSameKeyAndFingerprint() {
        List<NewRecord> batch = List.of(draft(remediation("idem-1", "2026-11-20T10:00:00Z")),
                draft(remediation("idem-2", "2026-11-20T10:00:00Z")));
        IdempotencyToken token = new IdempotencyToken("key-replay", "fingerprint-a");

        WriteResult first = store.write(batch, token);
        WriteResult second = store.write(batch, token);

        assertThat(first.replayed()).isFalse();
        assertThat(second.replayed()).isTrue();
        assertThat(second.receipts()).isEqualTo(first.receipts());
        assertThat(count("SELECT count(*) FROM audit_records WHERE name LIKE 'idem-%'")).isEqualTo(2);
    }

    @Test
    void rejectsTheSameKeyForAnotherRequest() {
        store.write(List.of(draft(remediation("conflict-1", "2026-11-20T10:00:00Z"))), new IdempotencyToken("key-conflict", "a"));

        assertThatThrownBy(() -> store.write(List.of(draft(remediation("conflict-2", "2026-11-20T10:00:00Z"))),
                new IdempotencyToken("key-conflict", "b")))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("key-conflict");
        assertThat(count("SELECT count(*) FROM audit_records WHERE name LIKE 'conflict-%'")).isEqualTo(1);
    }

    @Test
    void concurrentRequestsWithOneKeyWriteOnce() throws Exception {
        IdempotencyToken token = new IdempotencyToken("key-race", "same");
        NewRecord d = draft(remediation("race", "2026-11-20T10:00:00Z"));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WriteResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.write(List.of(d), token);
                }));
            }
            start.countDown();
            Set<UUID> ids = ConcurrentHashMap.newKeySet();
            int fresh = 0;
            for (Future<WriteResult> r : results) {
                ids.add(r.get().receipts().getFirst().id());
                fresh += r.get().replayed() ? 0 : 1;
            }
            assertThat(ids).hasSize(1);
            assertThat(fresh).isEqualTo(1);
        }
        assertThat(count("SELECT count(*) FROM audit_records WHERE name = 'race'")).isEqualTo(1);
    }

    @Test
    void twoHundredConcurrentWritersLoseAndDuplicateNothing() throws Exception {
        int writers = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<UUID>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    start.await();
                    return store.write(List.of(draft(remediation("writer-" + n, "2026-11-20T10:00:00Z"))), null)
                            .receipts().getFirst().id();
                }));
            }
            start.countDown();
            Set<UUID> ids = ConcurrentHashMap.newKeySet();
            for (Future<UUID> r : results) {
                ids.add(r.get());
            }
            assertThat(ids).hasSize(writers);
        }
        assertThat(count("SELECT count(*) FROM audit_records WHERE name LIKE 'writer-%'")).isEqualTo(writers);
        assertThat(count("SELECT count(DISTINCT name) FROM audit_records WHERE name LIKE 'writer-%'")).isEqualTo(writers);
    }

    @Test
    void createsPartitionsAheadAndOnDemandForOtherMonths() {
        assertThat(postgres.maintenance().partitionMonths()).contains(YearMonth.of(2026, 11), YearMonth.of(2026, 12),
                YearMonth.of(2027, 1), YearMonth.of(2027, 2));
        assertThat(postgres.maintenance().partitionMonths()).doesNotContain(YearMonth.of(2019, 3));

        UUID id = store.write(List.of(draft(remediation("old", "2019-03-31T23:59:59-05:00"))), null).receipts().getFirst().id();

        // 23:59:59-05:00 on 31 March is 1 April in UTC: partitions follow UTC months.
        assertThat(postgres.maintenance().partitionMonths()).contains(YearMonth.of(2019, 4)).doesNotContain(YearMonth.of(2019, 3));
        assertThat(store.find(AuditKind.REMEDIATION, id)).isPresent();
        assertThat(count("SELECT count(*) FROM audit_records_y2019m04")).isEqualTo(1);
    }

    @Test
    void recreatesAPartitionDroppedBehindItsBack() throws SQLException {
        store.write(List.of(draft(remediation("before-drop", "2015-06-10T00:00:00Z"))), null);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE audit_records_y2015m06");
        }

        UUID id = store.write(List.of(draft(remediation("after-drop", "2015-06-11T00:00:00Z"))), null).receipts().getFirst().id();

        assertThat(store.find(AuditKind.REMEDIATION, id)).isPresent();
    }

    @Test
    void aWriteRetriedAfterItsPartitionVanishedIndexesTheSameRecordsBothTimes() throws SQLException {
        store.write(List.of(draft(remediation("before-drop-2", "2015-07-10T00:00:00Z"))), null);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE audit_records_y2015m07");
        }
        List<List<UUID>> hooked = new ArrayList<>();

        Receipt receipt = store.write(List.of(draft(remediation("after-drop-2", "2015-07-11T00:00:00Z"))), null, records -> {
            List<UUID> ids = records.stream().map(IndexableRecord::id).toList();
            hooked.add(ids);
            return Set.copyOf(ids);
        }).receipts().getFirst();

        // The first attempt's insert failed after the hook ran; the retry hands the hook the same id,
        // so the index holds one entry, not an orphan from the failed attempt.
        assertThat(hooked).hasSize(2).allSatisfy(ids -> assertThat(ids).containsExactly(receipt.id()));
        assertThat(receipt.vectorIndexed()).isTrue();
        assertThat(count("SELECT count(*) FROM audit_records WHERE id = '" + receipt.id()
                + "' AND NOT index_pending AND vector_fingerprint IS NOT NULL")).isEqualTo(1);
    }

    @Test
    void writesEachRowOnceWithItsIndexMarkAlreadyDecided() throws SQLException {
        AuditDraft indexed = VALIDATOR.validate(AuditKind.REMEDIATION, remediation("indexed-once", "2026-11-20T10:00:02Z"));
        AuditDraft refused = VALIDATOR.validate(AuditKind.REMEDIATION, remediation("refused-once", "2026-11-20T10:00:03Z"));
        List<Receipt> receipts;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // Any UPDATE of a record row now fails the write.
            s.execute("""
                    CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'record row updated after its insert'; END $$""");
            s.execute("CREATE TRIGGER refuse_update BEFORE UPDATE ON audit_records_y2026m11 "
                    + "FOR EACH ROW EXECUTE FUNCTION refuse_update()");
            try {
                receipts = store.write(List.of(new NewRecord(indexed, VECTOR), new NewRecord(refused, VECTOR)), null,
                        records -> Set.of(records.getFirst().id())).receipts();
            } finally {
                s.execute("DROP TRIGGER refuse_update ON audit_records_y2026m11");
                s.execute("DROP FUNCTION refuse_update()");
            }
        }

        assertThat(receipts).extracting(Receipt::vectorIndexed).containsExactly(true, false);
        assertThat(count("SELECT count(*) FROM audit_records WHERE id = '" + receipts.get(0).id()
                + "' AND NOT index_pending AND vector_fingerprint IS NOT NULL")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_records WHERE id = '" + receipts.get(1).id()
                + "' AND index_pending AND vector_fingerprint IS NULL")).isEqualTo(1);
    }

    @Test
    void purgesIdempotencyKeysPastRetention() {
        store.write(List.of(draft(remediation("purge", "2026-11-20T10:00:00Z"))), new IdempotencyToken("key-purge", "p"));

        assertThat(postgres.maintenance().purgeIdempotencyKeys(Duration.ofHours(1))).isZero();
        assertThat(postgres.maintenance().purgeIdempotencyKeys(Duration.ofSeconds(-1))).isPositive();
        assertThat(count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'key-purge'")).isZero();
    }

    @Test
    void storesEmbeddingsWithTheRecordOrMarksThemPending() throws SQLException {
        AuditDraft withVector = VALIDATOR.validate(AuditKind.REMEDIATION, remediation("with-vector", "2026-11-20T10:00:00Z"));
        AuditDraft without = VALIDATOR.validate(AuditKind.REMEDIATION, remediation("pending-vector", "2026-11-20T10:00:01Z"));

        List<Receipt> receipts = store.write(List.of(new NewRecord(withVector, VECTOR), new NewRecord(without, null)), null).receipts();

        assertThat(receipts).extracting(Receipt::embedded).containsExactly(true, false);
        assertThat(store.find(AuditKind.REMEDIATION, receipts.get(0).id()).orElseThrow().embedded()).isTrue();
        assertThat(store.find(AuditKind.REMEDIATION, receipts.get(1).id()).orElseThrow().embedded()).isFalse();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT embedding FROM audit_records WHERE id = '" + receipts.get(0).id() + "'")) {
            rs.next();
            assertThat((Float[]) rs.getArray(1).getArray()).containsExactly(0.6f, 0.8f, 0f);
        }

        List<PendingEmbedding> pending = store.pendingEmbeddings(1000);
        PendingEmbedding mine = pending.stream().filter(p -> p.id().equals(receipts.get(1).id())).findFirst().orElseThrow();
        assertThat(mine.document().get("name")).isEqualTo("pending-vector");
        long before = store.countPendingEmbeddings();

        assertThat(store.completeEmbeddings(Map.of(mine, VECTOR))).isEqualTo(1);
        assertThat(store.completeEmbeddings(Map.of(mine, VECTOR))).as("already complete").isZero();
        assertThat(store.find(AuditKind.REMEDIATION, mine.id()).orElseThrow().embedded()).isTrue();
        assertThat(store.countPendingEmbeddings()).isEqualTo(before - 1);
    }

    @Test
    void reportsAStoppedServerAsUnavailable(@TempDir Path dir) {
        EmbeddedPostgresServer own = EmbeddedPostgresServer.start(dir, 0);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(own.jdbcUrl());
        config.setUsername(own.user());
        config.setConnectionTimeout(500);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            PostgresSchema.migrate(ds);
            RecordStore doomed = PostgresStore.open(ds, CLOCK, 0).records();
            doomed.write(List.of(draft(remediation("before-stop", "2026-11-20T10:00:00Z"))), null);

            own.close();

            assertThatThrownBy(() -> doomed.write(List.of(draft(remediation("x", "2026-11-20T10:00:00Z"))), null))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> doomed.find(AuditKind.REMEDIATION, UUID.randomUUID()))
                    .isInstanceOf(StoreUnavailableException.class);
        }
    }

    private static long count(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
