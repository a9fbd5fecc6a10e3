package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.migration.PhaseFence;
import io.datastorage.core.migration.PhaseFenceContract;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.SecondaryWriteQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** The phase-fence contract on a real PostgreSQL: the fence's shared lock makes a change wait. */
class PostgresPhaseFenceTest extends PhaseFenceContract {
    private static HikariDataSource dataSource;
    private PostgresStore store;

    @BeforeAll
    static void database() {
        dataSource = PostgresTestDatabase.freshDatabase();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Override
    protected PhaseFence fence() {
        PostgresTestDatabase.execute(dataSource,
                "TRUNCATE migration_phase, migration_phase_history, secondary_writes, idempotency_keys");
        store = PostgresStore.open(dataSource, Clock.systemUTC(), 0);
        return store.phaseFence();
    }

    @Override
    protected PhaseStore phases() {
        return store.phaseStore();
    }

    @Override
    protected SecondaryWriteQueue queue() {
        return store.secondaryWrites();
    }

    @Override
    protected void awaitWaitingForALock(Thread thread) throws InterruptedException {
        PostgresTestDatabase.awaitALockNotGranted(dataSource, thread);
    }

    @Test
    void theFacadeHandsOutOneFence() {
        assertThat(fence()).isSameAs(store.phaseFence());
    }
}
