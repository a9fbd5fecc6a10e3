package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.migration.BackfillDirection;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.MigrationRunsContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The runs contract on a real PostgreSQL, and what the schema itself refuses. */
class PostgresMigrationRunsTest extends MigrationRunsContract {
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
    protected MigrationRuns runs() {
        execute("TRUNCATE migration_backfill_runs, migration_validation_runs");
        return new PostgresMigrationRuns(dataSource);
    }

    @Test
    void theSchemaRefusesUnknownDirectionsAndAnErrorOnACompleteRun() {
        runs();
        assertThatThrownBy(() -> execute("INSERT INTO migration_backfill_runs VALUES "
                + "('sideways', 1, now(), now(), true, 0, 0, 0, NULL)")).hasMessageContaining("direction_check");
        assertThatThrownBy(() -> execute("INSERT INTO migration_backfill_runs VALUES "
                + "('legacy-to-new', 1, now(), now(), true, 0, 0, 0, 'broken')")).hasMessageContaining("check");
        assertThatThrownBy(() -> execute("INSERT INTO migration_backfill_runs VALUES "
                + "('legacy-to-new', 1, now(), now(), true, 1, 1, 1, NULL)")).hasMessageContaining("check");
    }

    @Test
    void theFacadeHandsOutRunsOnItsDatabase() {
        PostgresStore facade = PostgresStore.open(dataSource, java.time.Clock.systemUTC(), 0);
        runs();

        assertThat(facade.migrationRuns()).isSameAs(facade.migrationRuns());
        assertThat(facade.migrationRuns().lastBackfill(BackfillDirection.LEGACY_TO_NEW)).isEmpty();
    }

    private static void execute(String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
