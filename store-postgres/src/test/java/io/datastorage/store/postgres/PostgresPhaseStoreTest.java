package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.PhaseStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The phase-store contract on a real PostgreSQL, and what the schema itself refuses. */
class PostgresPhaseStoreTest extends PhaseStoreContract {
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
    protected PhaseStore store() {
        execute("TRUNCATE migration_phase, migration_phase_history");
        return new PostgresPhaseStore(dataSource);
    }

    @Test
    void theSchemaHoldsOneCurrentRowAndOnlyKnownPhases() {
        store().initialiseIfAbsent(MigrationPhase.LEGACY_ONLY, "configuration", "");

        assertThatThrownBy(() -> execute("INSERT INTO migration_phase (id, phase, version, changed_at) "
                + "VALUES (2, 'NEW_ONLY', 1, now())")).hasMessageContaining("migration_phase_id_check");
        assertThatThrownBy(() -> execute("UPDATE migration_phase SET phase = 'BOTH'"))
                .hasMessageContaining("migration_phase_phase_check");
        assertThatThrownBy(() -> execute("INSERT INTO migration_phase_history VALUES "
                + "(1, NULL, 'NEW_ONLY', now(), 'ops', '')")).hasMessageContaining("migration_phase_history_pkey");
        assertThatThrownBy(() -> execute("INSERT INTO migration_phase_history VALUES "
                + "(2, NULL, 'NEW_ONLY', now(), 'ops', '')")).hasMessageContaining("migration_phase_history_check");
    }

    @Test
    void theFacadeHandsOutAPhaseStoreOnItsDatabase() {
        PostgresStore facade = PostgresStore.open(dataSource, Clock.systemUTC(), 0);
        PhaseStore direct = store();
        direct.initialiseIfAbsent(MigrationPhase.DUAL_WRITE_NEW_PRIMARY, "configuration", "");

        assertThat(facade.phaseStore()).isSameAs(facade.phaseStore());
        assertThat(facade.phaseStore().current()).isEqualTo(direct.current());
    }

    private static void execute(String sql) {
        PostgresTestDatabase.execute(dataSource, sql);
    }
}
