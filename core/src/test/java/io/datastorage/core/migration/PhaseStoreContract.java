package io.datastorage.core.migration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static io.datastorage.core.migration.MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY;
import static io.datastorage.core.migration.MigrationPhase.DUAL_WRITE_NEW_PRIMARY;
import static io.datastorage.core.migration.MigrationPhase.LEGACY_ONLY;
import static io.datastorage.core.migration.MigrationPhase.NEW_ONLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link PhaseStore} promises, for every implementation. */
public abstract class PhaseStoreContract {

    /** An empty store: no phase stored. */
    protected abstract PhaseStore store();

    static Stream<Arguments> everyPairOfPhases() {
        return Arrays.stream(MigrationPhase.values())
                .flatMap(from -> Arrays.stream(MigrationPhase.values()).map(to -> Arguments.of(from, to)));
    }

    @Test
    void holdsNothingUntilInitialised() {
        PhaseStore store = store();

        assertThat(store.current()).isEmpty();
        assertThat(store.history(10)).isEmpty();
    }

    @Test
    void theInitialisationStoresVersionOneAndRecordsItInTheHistory() {
        PhaseStore store = store();

        PhaseState stored = store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "DATASTORAGE_MIGRATION_PHASE");

        assertThat(stored.phase()).isEqualTo(LEGACY_ONLY);
        assertThat(stored.version()).isEqualTo(1);
        assertThat(store.current()).contains(stored);
        assertThat(store.history(10)).containsExactly(new PhaseChange(null, LEGACY_ONLY, 1, stored.changedAt(),
                "configuration", "DATASTORAGE_MIGRATION_PHASE"));
    }

    @Test
    void theInitialisationNeverOverwritesAStoredPhase() {
        PhaseStore store = store();
        PhaseState first = store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        PhaseState moved = store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "start dual-write");

        PhaseState again = store.initialiseIfAbsent(NEW_ONLY, "configuration", "a restart with another setting");

        assertThat(again).isEqualTo(moved);
        assertThat(store.current()).contains(moved);
        assertThat(store.history(10)).extracting(PhaseChange::version).containsExactly(2L, 1L);
        assertThat(first.version()).isEqualTo(1);
    }

    @Test
    void ofRacingInitialisationsExactlyOneIsStoredAndAllReturnIt() throws Exception {
        PhaseStore store = store();
        int racers = 8;
        CyclicBarrier start = new CyclicBarrier(racers);
        List<Callable<PhaseState>> calls = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            MigrationPhase phase = MigrationPhase.values()[i % 4];
            calls.add(() -> {
                start.await();
                return store.initialiseIfAbsent(phase, "replica-" + phase, "start");
            });
        }
        List<PhaseState> returned = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
            for (Future<PhaseState> result : pool.invokeAll(calls)) {
                returned.add(result.get());
            }
        }

        assertThat(returned).containsOnly(store.current().orElseThrow());
        assertThat(store.history(10)).hasSize(1);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("everyPairOfPhases")
    void aMoveIsStoredExactlyWhenTheTableAllowsIt(MigrationPhase from, MigrationPhase to) {
        PhaseStore store = store();
        PhaseState before = store.initialiseIfAbsent(from, "configuration", "");
        boolean adjacent = Math.abs(from.ordinal() - to.ordinal()) == 1;
        assertThat(PhaseTransition.isAllowed(from, to)).as("the table is the adjacent moves").isEqualTo(adjacent);

        if (adjacent) {
            PhaseState after = store.change(1, to, "ops", "step");

            assertThat(after.phase()).isEqualTo(to);
            assertThat(after.version()).isEqualTo(2);
            assertThat(after.changedAt()).isAfterOrEqualTo(before.changedAt());
            assertThat(store.current()).contains(after);
            assertThat(store.history(10)).first()
                    .isEqualTo(new PhaseChange(from, to, 2, after.changedAt(), "ops", "step"));
        } else {
            assertThatThrownBy(() -> store.change(1, to, "ops", "skip"))
                    .isInstanceOfSatisfying(IllegalPhaseTransitionException.class, e -> {
                        assertThat(e.from()).isEqualTo(from);
                        assertThat(e.to()).isEqualTo(to);
                        assertThat(e.allowed()).isEqualTo(from.allowedMoves()).isNotEmpty();
                        assertThat(e.getMessage()).contains(from.name(), to.name());
                        e.allowed().forEach(allowed -> assertThat(e.getMessage()).contains(allowed.name()));
                    });
            assertThat(store.current()).as("nothing stored").contains(before);
            assertThat(store.history(10)).hasSize(1);
        }
    }

    @Test
    void aForcedChangeIsRecordedAsForcedAndNeedsAReason() {
        PhaseStore store = store();
        store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        PhaseState gated = store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "");

        assertThatThrownBy(() -> store.change(2, DUAL_WRITE_NEW_PRIMARY, "ops", " ", true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must say why");
        assertThat(store.current()).as("nothing stored").contains(gated);
        PhaseState forced = store.change(2, DUAL_WRITE_NEW_PRIMARY, "ops", "the validator is down, checked by hand", true);

        assertThat(store.history(10)).containsExactly(
                new PhaseChange(DUAL_WRITE_LEGACY_PRIMARY, DUAL_WRITE_NEW_PRIMARY, 3, forced.changedAt(), "ops",
                        "the validator is down, checked by hand", true),
                new PhaseChange(LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY, 2, gated.changedAt(), "ops", "", false),
                new PhaseChange(null, LEGACY_ONLY, 1, store.history(10).getLast().at(), "configuration", ""));
    }

    @Test
    void aStaleVersionIsRefusedWithTheCurrentStateAndChangesNothing() {
        PhaseStore store = store();
        store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        PhaseState current = store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "start dual-write");

        assertThatThrownBy(() -> store.change(1, DUAL_WRITE_NEW_PRIMARY, "ops", "a decision on version 1"))
                .isInstanceOfSatisfying(StalePhaseVersionException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(1);
                    assertThat(e.current()).isEqualTo(current);
                });
        assertThatThrownBy(() -> store.change(7, DUAL_WRITE_NEW_PRIMARY, "ops", "a version from the future"))
                .isInstanceOf(StalePhaseVersionException.class);
        assertThat(store.current()).contains(current);
        assertThat(store.history(10)).hasSize(2);
    }

    @Test
    void aStaleVersionIsReportedBeforeAnIllegalMove() {
        PhaseStore store = store();
        store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "");

        // NEW_ONLY is no move from either phase; the caller's picture of the phase is what is wrong.
        assertThatThrownBy(() -> store.change(1, NEW_ONLY, "ops", ""))
                .isInstanceOf(StalePhaseVersionException.class);
    }

    @Test
    void aChangeBeforeAnyInitialisationIsRefused() {
        PhaseStore store = store();

        assertThatThrownBy(() -> store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", ""))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("initialise");
        assertThat(store.current()).isEmpty();
    }

    @Test
    void aWalkForwardAndBackIsRecordedNewestFirstWithGaplessVersions() {
        PhaseStore store = store();
        store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "initial");
        List<MigrationPhase> walk = List.of(DUAL_WRITE_LEGACY_PRIMARY, DUAL_WRITE_NEW_PRIMARY, NEW_ONLY,
                DUAL_WRITE_NEW_PRIMARY, DUAL_WRITE_LEGACY_PRIMARY, LEGACY_ONLY);
        long version = 1;
        for (MigrationPhase to : walk) {
            version = store.change(version, to, "ops-" + version, "step " + version).version();
        }

        List<PhaseChange> history = store.history(100);

        assertThat(history).extracting(PhaseChange::version).containsExactly(7L, 6L, 5L, 4L, 3L, 2L, 1L);
        assertThat(history).extracting(PhaseChange::to).containsExactly(LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY,
                DUAL_WRITE_NEW_PRIMARY, NEW_ONLY, DUAL_WRITE_NEW_PRIMARY, DUAL_WRITE_LEGACY_PRIMARY, LEGACY_ONLY);
        assertThat(history.get(0)).extracting(PhaseChange::from, PhaseChange::who, PhaseChange::reason)
                .containsExactly(DUAL_WRITE_LEGACY_PRIMARY, "ops-6", "step 6");
        assertThat(history.get(6).previous()).isEmpty();
        assertChained(history);
        assertThat(store.current().orElseThrow()).extracting(PhaseState::phase, PhaseState::version,
                PhaseState::changedAt).containsExactly(LEGACY_ONLY, 7L, history.get(0).at());
    }

    @Test
    void theHistoryIsReadInBoundedPagesByVersion() {
        PhaseStore store = store();
        store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        MigrationPhase[] line = {DUAL_WRITE_LEGACY_PRIMARY, LEGACY_ONLY};
        for (long version = 1; version < 10; version++) {
            store.change(version, line[(int) (version - 1) % 2], "ops", "");
        }

        List<PhaseChange> first = store.history(4);
        List<PhaseChange> second = store.history(first.getLast().version(), 4);
        List<PhaseChange> third = store.history(second.getLast().version(), 4);

        assertThat(first).extracting(PhaseChange::version).containsExactly(10L, 9L, 8L, 7L);
        assertThat(second).extracting(PhaseChange::version).containsExactly(6L, 5L, 4L, 3L);
        assertThat(third).extracting(PhaseChange::version).containsExactly(2L, 1L);
        assertThat(store.history(1, 4)).isEmpty();
        assertThat(store.history(PhaseStore.MAX_HISTORY_PAGE)).hasSize(10);
        assertThatThrownBy(() -> store.history(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.history(PhaseStore.MAX_HISTORY_PAGE + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1001");
    }

    @Test
    void ofChangesRacingFromOneVersionExactlyOneWins() throws Exception {
        PhaseStore store = store();
        store.initialiseIfAbsent(DUAL_WRITE_LEGACY_PRIMARY, "configuration", "");
        int racers = 8;
        for (int round = 0; round < 10; round++) {
            PhaseState before = store.current().orElseThrow();
            List<MigrationPhase> moves = before.phase().allowedMoves();
            CyclicBarrier start = new CyclicBarrier(racers);
            List<Callable<PhaseState>> calls = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                MigrationPhase to = moves.get(i % moves.size());
                String who = "replica-" + i;
                calls.add(() -> {
                    start.await();
                    return store.change(before.version(), to, who, "round");
                });
            }
            int winners = 0;
            int stale = 0;
            try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
                for (Future<PhaseState> result : pool.invokeAll(calls)) {
                    try {
                        assertThat(result.get().version()).isEqualTo(before.version() + 1);
                        winners++;
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(StalePhaseVersionException.class);
                        stale++;
                    }
                }
            }
            assertThat(winners).as("round %d", round).isEqualTo(1);
            assertThat(stale).isEqualTo(racers - 1);
            assertThat(store.current().orElseThrow().version()).isEqualTo(before.version() + 1);
        }
        List<PhaseChange> history = store.history(100);
        assertThat(history).hasSize(11);
        assertChained(history);
    }

    @Test
    void changesRacingWithoutPauseLeaveAGaplessChainedHistory() throws Exception {
        PhaseStore store = store();
        store.initialiseIfAbsent(LEGACY_ONLY, "configuration", "");
        int racers = 6;
        int attemptsEach = 25;
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            String who = "replica-" + i;
            calls.add(() -> {
                int won = 0;
                for (int attempt = 0; attempt < attemptsEach; attempt++) {
                    PhaseState seen = store.current().orElseThrow();
                    List<MigrationPhase> moves = seen.phase().allowedMoves();
                    MigrationPhase to = moves.get(ThreadLocalRandom.current().nextInt(moves.size()));
                    try {
                        store.change(seen.version(), to, who, "attempt " + attempt);
                        won++;
                    } catch (StalePhaseVersionException e) {
                        // another replica moved first
                    }
                }
                return won;
            });
        }
        int won = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
            for (Future<Integer> result : pool.invokeAll(calls)) {
                won += result.get();
            }
        }

        List<PhaseChange> history = store.history(PhaseStore.MAX_HISTORY_PAGE);
        assertThat(history).hasSize(won + 1);
        assertThat(store.current().orElseThrow().version()).isEqualTo(won + 1);
        assertChained(history);
    }

    @Test
    void refusesBadArguments() {
        PhaseStore store = store();

        assertThatThrownBy(() -> store.initialiseIfAbsent(null, "configuration", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("phase");
        assertThatThrownBy(() -> store.initialiseIfAbsent(LEGACY_ONLY, " ", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..255");
        assertThatThrownBy(() -> store.initialiseIfAbsent(LEGACY_ONLY, "x".repeat(256), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..255");
        assertThatThrownBy(() -> store.initialiseIfAbsent(LEGACY_ONLY, "ops", "r".repeat(1025)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1025");
        assertThat(store.current()).isEmpty();
        store.initialiseIfAbsent(LEGACY_ONLY, "ops", "r".repeat(PhaseStore.MAX_REASON_LENGTH));
        assertThatThrownBy(() -> store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reason");
        // PostgreSQL's text cannot hold NUL nor an unpaired surrogate: refused as the caller's mistake, not a store failure
        assertThatThrownBy(() -> store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "ops", "a\u0000b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reason").hasMessageContaining("NUL");
        assertThatThrownBy(() -> store.change(1, DUAL_WRITE_LEGACY_PRIMARY, "o\ud800ps", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("who").hasMessageContaining("surrogate");
        assertThat(store.current().orElseThrow().version()).isEqualTo(1);
    }

    /**
     * Versions are gapless from 1, each entry starts where the one before it ended, and times do
     * not go back.
     */
    private static void assertChained(List<PhaseChange> newestFirst) {
        List<PhaseChange> oldestFirst = newestFirst.reversed();
        for (int i = 0; i < oldestFirst.size(); i++) {
            PhaseChange change = oldestFirst.get(i);
            assertThat(change.version()).isEqualTo(i + 1);
            if (i == 0) {
                assertThat(change.previous()).isEmpty();
            } else {
                PhaseChange before = oldestFirst.get(i - 1);
                assertThat(change.from()).as("version %d starts where %d ended", change.version(), before.version())
                        .isEqualTo(before.to());
                assertThat(PhaseTransition.isAllowed(change.from(), change.to())).isTrue();
                assertThat(change.at()).isAfterOrEqualTo(before.at());
            }
        }
    }
}
