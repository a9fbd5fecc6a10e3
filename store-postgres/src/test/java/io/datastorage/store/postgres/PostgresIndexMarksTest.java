package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The "index pending" marks the dual-write relies on: written with the record (set unless the
 * hook indexed it), cleared later by the repair.
 */
class PostgresIndexMarksTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);
    private static final float[] VECTOR = {0.6f, 0.8f, 0f};

    private HikariDataSource dataSource;
    private PostgresStore store;

    @BeforeEach
    void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        store = PostgresStore.open(dataSource, CLOCK, 1);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private static NewRecord record(String name, float[] vector) {
        return new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION,
                AuditFixtures.remediation(name, "2026-11-20T10:00:00Z")), vector);
    }

    @Test
    void aWriteWhoseInsertFailsAfterTheUpsertLeavesNoVectorBehind() throws SQLException {
        // The hook (the index upsert) runs before the insert: when the insert then fails, the
        // coordinator must take the vector back, so the store and the index stay both-or-neither.
        InMemoryVectorIndex index = new InMemoryVectorIndex(VECTOR.length);
        DualWriteCoordinator coordinator = new DualWriteCoordinator(store.records(),
                GuardedIndex.of(index, 1, Duration.ofMillis(1), Duration.ofMinutes(1)),
                DualWriteCoordinator.Mode.FALLBACK, DualWriteListener.NONE);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'insert refused'; END $$""");
            s.execute("CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_records_y2026m11 "
                    + "FOR EACH ROW EXECUTE FUNCTION refuse_insert()");
        }

        assertThatThrownBy(() -> coordinator.write(List.of(record("refused", VECTOR)), null, Deadline.none()))
                .isInstanceOf(StoreException.class);

        assertThat(index.count()).isZero();
        assertThat(store.indexBacklog().countPendingIndex()).isZero();
    }
}
