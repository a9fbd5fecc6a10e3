package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;
import io.datastorage.core.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.datastorage.core.migration.MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY;
import static io.datastorage.core.migration.MigrationPhase.DUAL_WRITE_NEW_PRIMARY;
import static io.datastorage.core.migration.MigrationPhase.LEGACY_ONLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A replica's cached phase, refreshed on a manual schedule: time moves only when the test says. */
class PhaseWatcherTest {
    private static final Duration INTERVAL = Duration.ofMillis(500);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final SwitchableStore store = new SwitchableStore(new InMemoryPhaseStore(clock));
    private final List<String> heard = new ArrayList<>();

    /** A phase store that can be made unreachable, or to answer an older state (a restored backup). */
    static final class SwitchableStore implements PhaseStore {
        final PhaseStore delegate;
        boolean down;
        PhaseState answerInstead;
        int reads;

        SwitchableStore(PhaseStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<PhaseState> current() {
            reads++;
            if (down) {
                throw new StoreUnavailableException("connection refused", null);
            }
            return answerInstead != null ? Optional.of(answerInstead) : delegate.current();
        }

        @Override
        public PhaseState initialiseIfAbsent(MigrationPhase phase, String who, String reason) {
            return delegate.initialiseIfAbsent(phase, who, reason);
        }

        @Override
        public PhaseState change(long expectedVersion, MigrationPhase to, String who, String reason, boolean forced) {
            return delegate.change(expectedVersion, to, who, reason, forced);
        }

        @Override
        public List<PhaseChange> history(long beforeVersion, int limit) {
            return delegate.history(beforeVersion, limit);
        }
    }

    private PhaseWatcher startedWatcher() {
        store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        PhaseWatcher watcher = new PhaseWatcher(store, scheduler, INTERVAL, clock);
        watcher.addListener((previous, current) -> heard.add(previous.version() + "->" + current.version()
                + " " + current.phase()));
        watcher.start();
        return watcher;
    }

    @Test
    void startReadsThePhaseAtOnceAndSchedulesTheRefresh() {
        PhaseWatcher watcher = startedWatcher();

        assertThat(watcher.current()).isEqualTo(store.current().orElseThrow());
        assertThat(watcher.refreshedAt()).isEqualTo(clock.instant());
        assertThat(scheduler.pending()).isEqualTo(1);
        assertThat(heard).as("the first read is no change").isEmpty();
    }

    @Test
    void aChangeStoredElsewhereIsAppliedAtTheNextRefreshWithinTheInterval() {
        PhaseWatcher watcher = startedWatcher();
        store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "another replica", "start dual-write");

        scheduler.advance(INTERVAL.minusMillis(1));
        assertThat(watcher.current().version()).as("not refreshed yet").isEqualTo(1);

        scheduler.advance(Duration.ofMillis(1));
        assertThat(watcher.current()).isEqualTo(store.current().orElseThrow());
        assertThat(heard).containsExactly("1->2 DUAL_WRITE_LEGACY_PRIMARY");
    }

    @Test
    void listenersHearOnlyNewVersionsAndOnlyTheNewestOfSeveral() {
        PhaseWatcher watcher = startedWatcher();

        scheduler.advance(INTERVAL.multipliedBy(3));
        assertThat(heard).isEmpty();

        store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "");
        store.change(2, DUAL_WRITE_NEW_PRIMARY, "ops", "");
        scheduler.advance(INTERVAL);

        assertThat(heard).containsExactly("1->3 DUAL_WRITE_NEW_PRIMARY");
        assertThat(watcher.current().version()).isEqualTo(3);
    }

    @Test
    void aStoreThatCannotBeReachedLeavesTheCachedStateAndTheScheduleRunning() {
        PhaseWatcher watcher = startedWatcher();
        Instant lastAnswer = watcher.refreshedAt();
        store.down = true;

        scheduler.advance(INTERVAL.multipliedBy(4));

        assertThat(store.reads).as("the start, then four refreshes").isEqualTo(5);
        assertThat(watcher.current().version()).isEqualTo(1);
        assertThat(watcher.refreshedAt()).as("how stale the cache is").isEqualTo(lastAnswer);

        store.down = false;
        store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "");
        scheduler.advance(INTERVAL);
        assertThat(watcher.current().version()).isEqualTo(2);
        assertThat(watcher.refreshedAt()).isEqualTo(clock.instant());
        assertThat(heard).containsExactly("1->2 DUAL_WRITE_LEGACY_PRIMARY");
    }

    @Test
    void aStoreThatCannotBeReachedIsSaidToBeDownSinceItsFirstFailureUntilItAnswersAgain() {
        PhaseWatcher watcher = startedWatcher();
        Instant lastAnswer = watcher.refreshedAt();
        assertThat(watcher.storeHealth()).isEqualTo(new PhaseWatcher.StoreHealth(true, lastAnswer, null, null));
        store.down = true;

        scheduler.advance(INTERVAL);
        Instant firstFailure = clock.instant();
        scheduler.advance(INTERVAL.multipliedBy(3));

        PhaseWatcher.StoreHealth health = watcher.storeHealth();
        assertThat(health.up()).isFalse();
        assertThat(health.lastRefreshedAt()).isEqualTo(lastAnswer);
        assertThat(health.downSince()).as("the first failure, not the last").isEqualTo(firstFailure);
        assertThat(health.detail()).contains("connection refused");
        assertThat(watcher.current().version()).as("the last known phase").isEqualTo(1);
        assertThatThrownBy(watcher::refresh).as("a caller's refresh fails as the store does")
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(watcher.storeHealth().downSince()).isEqualTo(firstFailure);

        store.down = false;
        scheduler.advance(INTERVAL);
        assertThat(watcher.storeHealth()).isEqualTo(new PhaseWatcher.StoreHealth(true, clock.instant(), null, null));
    }

    @Test
    void aListenerThatThrowsNeitherStopsTheOthersNorTheSchedule() {
        PhaseWatcher watcher = startedWatcher();
        List<Long> second = new ArrayList<>();
        watcher.addListener((previous, current) -> {
            throw new IllegalStateException("listener bug");
        });
        watcher.addListener((previous, current) -> second.add(current.version()));

        store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "");
        scheduler.advance(INTERVAL);
        store.change(2, LEGACY_ONLY, "ops", "roll back");
        scheduler.advance(INTERVAL);

        assertThat(second).containsExactly(2L, 3L);
        assertThat(heard).containsExactly("1->2 DUAL_WRITE_LEGACY_PRIMARY", "2->3 LEGACY_ONLY");
    }

    @Test
    void anOlderVersionFromTheStoreIsIgnored() {
        PhaseWatcher watcher = startedWatcher();
        PhaseState initial = watcher.current();
        store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "");
        scheduler.advance(INTERVAL);

        store.answerInstead = initial; // e.g. a database restored from a backup
        scheduler.advance(INTERVAL);

        assertThat(watcher.current().version()).isEqualTo(2);
        assertThat(heard).containsExactly("1->2 DUAL_WRITE_LEGACY_PRIMARY");
    }

    @Test
    void aCallerSeesItsOwnChangeAtOnceByRefreshing() {
        PhaseWatcher watcher = startedWatcher();
        PhaseState changed = store.change(watcher.current().version(), DUAL_WRITE_LEGACY_PRIMARY, "ops", "");

        assertThat(watcher.refresh()).isEqualTo(changed);
        assertThat(watcher.current()).isEqualTo(changed);
        scheduler.advance(INTERVAL);
        assertThat(heard).as("told once").containsExactly("1->2 DUAL_WRITE_LEGACY_PRIMARY");
    }

    @Test
    void closingStopsTheRefreshesAndKeepsTheLastState() {
        PhaseWatcher watcher = startedWatcher();

        watcher.close();
        store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "");
        scheduler.advance(INTERVAL.multipliedBy(2));

        assertThat(scheduler.pending()).isZero();
        assertThat(watcher.current().version()).isEqualTo(1);
    }

    @Test
    void refusesToStartWithoutAStoredPhaseOrTwice() {
        PhaseWatcher unstarted = new PhaseWatcher(store, scheduler, INTERVAL, clock);
        assertThatThrownBy(unstarted::current).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(unstarted::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("initialise");

        PhaseWatcher watcher = startedWatcher();
        assertThatThrownBy(watcher::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already started");
    }

    @Test
    void refusesAnIntervalAboveOneSecond() {
        assertThatThrownBy(() -> new PhaseWatcher(store, scheduler, Duration.ofMillis(1001), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000 ms").hasMessageContaining("PT1.001S");
        assertThatThrownBy(() -> new PhaseWatcher(store, scheduler, Duration.ZERO, clock))
                .isInstanceOf(IllegalArgumentException.class);
        new PhaseWatcher(store, scheduler, PhaseWatcher.MAX_INTERVAL, clock).close();
    }

    @Test
    void concurrentRefreshesReadTheStoreAtTheSameTimeAndTheNewerVersionWins() throws Exception {
        // Every write the fence refuses after a change refreshes: their reads must not queue behind
        // one another (each may wait for a pooled connection), only making a version current does.
        InMemoryPhaseStore phases = new InMemoryPhaseStore(clock);
        phases.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        java.util.concurrent.CyclicBarrier bothReading = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        PhaseStore meeting = new PhaseStore() {
            @Override
            public Optional<PhaseState> current() {
                if (started.get()) {
                    try {
                        bothReading.await(30, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException("the two refreshes did not read the store at the same time", e);
                    }
                }
                return phases.current();
            }

            @Override
            public PhaseState initialiseIfAbsent(MigrationPhase phase, String who, String reason) {
                return phases.initialiseIfAbsent(phase, who, reason);
            }

            @Override
            public PhaseState change(long expectedVersion, MigrationPhase to, String who, String reason, boolean forced) {
                return phases.change(expectedVersion, to, who, reason, forced);
            }

            @Override
            public List<PhaseChange> history(long beforeVersion, int limit) {
                return phases.history(beforeVersion, limit);
            }
        };
        PhaseWatcher watcher = new PhaseWatcher(meeting, scheduler, INTERVAL, clock);
        watcher.addListener((previous, current) -> heard.add(previous.version() + "->" + current.version()));
        watcher.start();
        started.set(true);
        phases.change(1, DUAL_WRITE_LEGACY_PRIMARY, "test", "");

        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var first = threads.submit(watcher::refresh);
            var second = threads.submit(watcher::refresh);
            assertThat(first.get().version()).isEqualTo(2);
            assertThat(second.get().version()).isEqualTo(2);
        }
        assertThat(watcher.current().phase()).isEqualTo(DUAL_WRITE_LEGACY_PRIMARY);
        assertThat(heard).as("told once").containsExactly("1->2");
    }
}
