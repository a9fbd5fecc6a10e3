package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What only the PostgreSQL store does, beyond the role contracts ({@code PostgresStoreContractsTest}):
 * partitions, the idempotency-key purge, SQL errors and a stopped server, rows written once.
 */
class PostgresStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private static HikariDataSource dataSource;
    private static PostgresStore postgres;
    private static RecordStore store;

    @BeforeAll
    static void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        postgres = PostgresStore.open(dataSource, CLOCK, 3);
        store = postgres.records();
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

    /**
     * Clock skew: keys are stamped and aged by the database's clock, so a replica whose clock runs
     * five minutes ahead does not purge, two minutes into a retention of three, a key another
     * replica has just stored (a retry with it would otherwise write a second copy).
     */
    @Test
    void aReplicaWhoseClockRunsFiveMinutesAheadPurgesNoIdempotencyKeyBeforeItsRetention() {
        PostgresStore onTime = PostgresStore.open(dataSource, Clock.systemUTC(), 0);
        PostgresStore ahead = PostgresStore.open(dataSource, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(5)), 0);
        onTime.records().write(List.of(draft(remediation("skew", "2026-11-20T10:00:00Z"))),
                new IdempotencyToken("key-skew", "s"));

        ahead.maintenance().purgeIdempotencyKeys(Duration.ofMinutes(3));

        assertThat(count("SELECT count(*) FROM idempotency_keys WHERE idempotency_key = 'key-skew'")).isOne();
    }

    @Test
    void storesTheEmbeddingInItsRowExactly() throws SQLException {
        AuditDraft withVector = VALIDATOR.validate(AuditKind.REMEDIATION, remediation("with-vector", "2026-11-20T10:00:00Z"));

        List<Receipt> receipts = store.write(List.of(new NewRecord(withVector, VECTOR)), null).receipts();

        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT embedding FROM audit_records WHERE id = '" + receipts.get(0).id() + "'")) {
            rs.next();
            assertThat((Float[]) rs.getArray(1).getArray()).containsExactly(0.6f, 0.8f, 0f);
        }
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
