package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.migration.BackfillCheckpoints;
import io.datastorage.core.migration.BackfillCheckpointsContract;
import io.datastorage.core.migration.BackfillDirection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The checkpoints contract on a real PostgreSQL, and what the schema itself refuses. */
class PostgresBackfillCheckpointsTest extends BackfillCheckpointsContract {
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
    protected BackfillCheckpoints checkpoints() {
        execute("TRUNCATE migration_backfill_checkpoints");
        return new PostgresBackfillCheckpoints(dataSource);
    }

    @Test
    void theSchemaRefusesUnknownDirectionsAndHalfAPosition() {
        checkpoints();
        assertThatThrownBy(() -> execute("INSERT INTO migration_backfill_checkpoints (direction, phase_version, "
                + "started_at, kind, scanned, copied, skipped, total) VALUES ('sideways', 1, now(), 'WORKFLOW', 0, 0, 0, 0)"))
                .hasMessageContaining("direction_check");
        assertThatThrownBy(() -> execute("INSERT INTO migration_backfill_checkpoints (direction, phase_version, "
                + "started_at, kind, after_key, scanned, copied, skipped, total) "
                + "VALUES ('legacy-to-new', 1, now(), 'WORKFLOW', 'k', 0, 0, 0, 0)")).hasMessageContaining("check");
    }

    @Test
    void theFacadeHandsOutCheckpointsOnItsDatabase() {
        PostgresStore facade = PostgresStore.open(dataSource, java.time.Clock.systemUTC(), 0);
        checkpoints();

        assertThat(facade.backfillCheckpoints()).isSameAs(facade.backfillCheckpoints());
        assertThat(facade.backfillCheckpoints().find(BackfillDirection.LEGACY_TO_NEW)).isEmpty();
    }

    private static void execute(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
