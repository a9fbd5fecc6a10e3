package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.migration.IllegalPhaseTransitionException;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.PhaseFence;
import io.datastorage.core.migration.PhaseFenceContract;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.migration.StalePhaseVersionException;
import io.datastorage.core.store.StoreUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void aPhaseChangeThatWaitsTooLongForWritesInFlightGivesUpAndChangesNothing() throws Exception {
        PhaseFence fence = fence();
        PostgresPhaseStore patient = new PostgresPhaseStore(dataSource, Duration.ofSeconds(1));
        PhaseState state = patient.initialiseIfAbsent(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY, "test", "");
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> fence.underPhase(state, null, false, () -> {
            working.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }));
        try {
            working.await();
            assertThatThrownBy(() -> patient.change(state.version(), MigrationPhase.DUAL_WRITE_NEW_PRIMARY, "test", ""))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("gave up; nothing changed");
            assertThat(patient.current().orElseThrow().version()).isEqualTo(state.version());
        } finally {
            release.countDown();
            writer.join();
        }
        assertThat(patient.change(state.version(), MigrationPhase.DUAL_WRITE_NEW_PRIMARY, "test", "").version())
                .as("once the write ended").isEqualTo(state.version() + 1);
    }

    @Test
    void aStaleOrIllegalChangeIsRefusedWithoutWaitingForWritesInFlight() throws Exception {
        PhaseFence fence = fence();
        PhaseState state = store.phaseStore().initialiseIfAbsent(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY, "test", "");
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> fence.underPhase(state, null, false, () -> {
            working.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }));
        try {
            working.await();
            assertThatThrownBy(() -> store.phaseStore().change(state.version() + 5, MigrationPhase.LEGACY_ONLY, "t", ""))
                    .isInstanceOf(StalePhaseVersionException.class);
            assertThatThrownBy(() -> store.phaseStore().change(state.version(), MigrationPhase.NEW_ONLY, "t", ""))
                    .isInstanceOf(IllegalPhaseTransitionException.class);
        } finally {
            release.countDown();
            writer.join();
        }
    }

    @Test
    void theFacadeHandsOutOneFence() {
        assertThat(fence()).isSameAs(store.phaseFence());
    }
}
