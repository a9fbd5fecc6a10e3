package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.SecondaryWrite;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.migration.SecondaryWriteQueueContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The secondary-write queue contract on a real PostgreSQL. Time passing is played by moving every
 * entry's times back by the same amount: the database's own clock cannot be moved, and the
 * statements compare {@code due_at} only with {@code now()}, so this is what the queue would see.
 */
class PostgresSecondaryWriteQueueTest extends SecondaryWriteQueueContract {
    private static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = PostgresTestDatabase.freshDatabase();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Override
    protected SecondaryWriteQueue queue() {
        execute("TRUNCATE secondary_writes");
        return new PostgresSecondaryWriteQueue(dataSource);
    }

    @Override
    protected void elapse(Duration time) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE secondary_writes SET due_at = due_at - ? * interval "
                     + "'1 microsecond', enqueued_at = enqueued_at - ? * interval '1 microsecond'")) {
            s.setLong(1, time.toNanos() / 1000);
            s.setLong(2, time.toNanos() / 1000);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anEnqueueInTheCallersTransactionCommitsAndRollsBackWithIt() throws SQLException {
        queue();
        PostgresSecondaryWriteQueue queue = new PostgresSecondaryWriteQueue(dataSource);
        SecondaryWrite kept = new SecondaryWrite(UUID.randomUUID(), AuditKind.EXECUTION, MigrationSide.LEGACY, 2);
        SecondaryWrite undone = new SecondaryWrite(UUID.randomUUID(), AuditKind.EXECUTION, MigrationSide.LEGACY, 2);

        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            assertThat(queue.enqueue(c, List.of(kept))).isEqualTo(1);
            assertThat(queue.backlog().depth()).as("not visible before the commit").isZero();
            c.commit();
            assertThat(queue.enqueue(c, List.of(undone, kept))).isEqualTo(1);
            c.rollback();
        }

        assertThat(queue.claim(10, CLAIM)).singleElement().satisfies(entry -> assertThat(entry.write()).isEqualTo(kept));
    }

    @Test
    void theSchemaRefusesAnUnknownSideAndAVersionBelowOne() {
        queue();
        assertThatThrownBy(() -> execute("INSERT INTO secondary_writes (record_id, target, kind, phase_version, "
                + "enqueued_at, due_at) VALUES (gen_random_uuid(), 'BOTH', 'workflow', 1, now(), now())"))
                .hasMessageContaining("secondary_writes_target_check");
        assertThatThrownBy(() -> execute("INSERT INTO secondary_writes (record_id, target, kind, phase_version, "
                + "enqueued_at, due_at) VALUES (gen_random_uuid(), 'NEW', 'workflow', 0, now(), now())"))
                .hasMessageContaining("secondary_writes_phase_version_check");
    }

    @Test
    void theFacadeHandsOutAQueueOnItsDatabase() {
        PostgresStore facade = PostgresStore.open(dataSource, Clock.systemUTC(), 0);
        queue().enqueue(new SecondaryWrite(UUID.randomUUID(), AuditKind.WORKFLOW, MigrationSide.NEW, 1));

        assertThat(facade.secondaryWrites()).isSameAs(facade.secondaryWrites());
        assertThat(facade.secondaryWrites().backlog().depth()).isEqualTo(1);
    }

    private static void execute(String sql) {
        PostgresTestDatabase.execute(dataSource, sql);
    }
}
