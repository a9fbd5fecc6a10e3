package io.datastorage.core.migration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.datastorage.core.migration.MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY;
import static io.datastorage.core.migration.MigrationPhase.LEGACY_ONLY;
import static io.datastorage.core.migration.MigrationPhase.NEW_ONLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every move of {@link PhaseTransition} against each gate of {@link PromotionGates}: with every
 * fact in order the move passes; each fact out of order, alone, refuses exactly the moves its gate
 * covers, with one sentence naming it.
 */
class PromotionGatesTest {
    static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    /** The current version of every move below; dual writing began at {@link #DUAL_BEGAN}. */
    static final long CURRENT = 7;
    static final long DUAL_BEGAN = 4;

    /**
     * The history, newest first: initialised at version 1, an earlier run of dual writes began at
     * version 2 (forced) and ended at 3, the current one began at {@link #DUAL_BEGAN}.
     */
    static List<PhaseChange> history() {
        return List.of(new PhaseChange(LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY, DUAL_BEGAN, T0, "ops", "dual writes"),
                new PhaseChange(DUAL_WRITE_LEGACY_PRIMARY, LEGACY_ONLY, 3, T0, "ops", "back"),
                new PhaseChange(LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY, 2, T0, "ops", "an earlier try", true),
                new PhaseChange(null, LEGACY_ONLY, 1, T0, "configuration", ""));
    }

    static PromotionGates.Facts allInOrder(PhaseTransition move) {
        return new PromotionGates.Facts(new PhaseState(move.from(), CURRENT, T0),
                Optional.of(SecondaryWriteQueue.Backlog.EMPTY), Optional.of(validation(CURRENT, true)),
                Optional.of(backfill(DUAL_BEGAN, true)), history());
    }

    static ValidationResult validation(long version, boolean consistent) {
        return new ValidationResult(version, false, T0.plusSeconds(5), new SyncReport(10, consistent ? 0 : 1, 0, 0, 0,
                consistent, 5000, T0, List.of(), List.of(), List.of()));
    }

    static BackfillResult backfill(long version, boolean complete) {
        return new BackfillResult(BackfillDirection.LEGACY_TO_NEW, version, T0, T0.plusSeconds(1), complete, 10, 5, 5,
                complete ? Optional.empty() : Optional.of("the legacy store stopped answering"));
    }

    static PromotionGates.Facts with(PromotionGates.Facts facts, Optional<SecondaryWriteQueue.Backlog> backlog,
                                     Optional<ValidationResult> validation, Optional<BackfillResult> backfill) {
        return new PromotionGates.Facts(facts.current(), backlog, validation, backfill, facts.history());
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void everyMovePassesWhenEveryFactIsInOrder(PhaseTransition move) {
        assertThat(PromotionGates.refusals(allInOrder(move), move.to())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void everyMoveIsRefusedWhileTheSecondaryQueueHoldsAWrite(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, Optional.of(
                new SecondaryWriteQueue.Backlog(3, Optional.of(T0))), facts.validation(), facts.backfill()), move.to());

        assertThat(refusals).singleElement().asString().contains("secondary queue holds 3 writes");
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void everyMoveIsRefusedWhenTheQueueCannotBeRead(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, Optional.empty(), facts.validation(),
                facts.backfill()), move.to());

        assertThat(refusals).singleElement().asString().contains("backlog could not be read");
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void everyMoveButTheFirstIntoDualWritesNeedsAValidation(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, facts.backlog(), Optional.empty(), facts.backfill()),
                move.to());

        if (move == PhaseTransition.LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY) {
            assertThat(refusals).isEmpty();
        } else {
            assertThat(refusals).singleElement().asString().startsWith("No validation has finished")
                    .contains("current phase version 7");
        }
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void aValidationStartedUnderAnEarlierVersionDoesNotCount(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, facts.backlog(),
                Optional.of(validation(CURRENT - 1, true)), facts.backfill()), move.to());

        if (move == PhaseTransition.LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY) {
            assertThat(refusals).isEmpty();
        } else {
            assertThat(refusals).singleElement().asString().contains("started under phase version 6, not the current one");
        }
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void aValidationThatLeftDifferencesRefuses(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, facts.backlog(),
                Optional.of(validation(CURRENT, false)), facts.backfill()), move.to());

        if (move == PhaseTransition.LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY) {
            assertThat(refusals).isEmpty();
        } else {
            assertThat(refusals).singleElement().asString().contains("found differences left (missing in new 1");
        }
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void onlyThePromotionToNewPrimaryNeedsABackfillNotTheStepBackFromNewOnly(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, facts.backlog(), facts.validation(), Optional.empty()),
                move.to());

        if (move == PhaseTransition.DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY) {
            assertThat(refusals).singleElement().asString().startsWith("No legacy-to-new backfill has finished")
                    .contains("at or after phase version 4");
        } else {
            assertThat(refusals).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void aBackfillThatStoppedEarlyDoesNotCount(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, facts.backlog(), facts.validation(),
                Optional.of(backfill(5, false))), move.to());

        if (move == PhaseTransition.DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY) {
            assertThat(refusals).singleElement().asString().contains("stopped early (the legacy store stopped answering)");
        } else {
            assertThat(refusals).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void aBackfillFromAnEarlierRunOfDualWritesDoesNotCount(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        // version 2 began an earlier run of dual writes, ended by the move back at version 3
        List<String> refusals = PromotionGates.refusals(with(facts, facts.backlog(), facts.validation(),
                Optional.of(backfill(DUAL_BEGAN - 2, true))), move.to());

        if (move == PhaseTransition.DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY) {
            assertThat(refusals).singleElement().asString().contains("started under phase version 2, before the current");
        } else {
            assertThat(refusals).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(PhaseTransition.class)
    void everyGateOutOfOrderIsNamedOnceInTheOrderOfTheGates(PhaseTransition move) {
        PromotionGates.Facts facts = allInOrder(move);
        List<String> refusals = PromotionGates.refusals(with(facts, Optional.of(
                new SecondaryWriteQueue.Backlog(1, Optional.of(T0))), Optional.empty(), Optional.empty()), move.to());

        List<String> expected = new ArrayList<>(List.of("The secondary queue holds 1 write owed"));
        if (move != PhaseTransition.LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY) {
            expected.add("No validation has finished");
        }
        if (move == PhaseTransition.DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY) {
            expected.add("No legacy-to-new backfill has finished");
        }
        assertThat(refusals).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(refusals.get(i)).startsWith(expected.get(i));
        }
    }

    @Test
    void theStepBackFromNewOnlyPassesWithoutAnyBackfillOnceAValidationIsConsistent() {
        PromotionGates.Facts facts = allInOrder(PhaseTransition.NEW_ONLY_TO_DUAL_WRITE_NEW_PRIMARY);

        assertThat(PromotionGates.refusals(with(facts, facts.backlog(), facts.validation(), Optional.empty()),
                PhaseTransition.NEW_ONLY_TO_DUAL_WRITE_NEW_PRIMARY.to())).isEmpty();
        assertThat(PromotionGates.refusals(with(facts, facts.backlog(), Optional.empty(), Optional.empty()),
                PhaseTransition.NEW_ONLY_TO_DUAL_WRITE_NEW_PRIMARY.to()))
                .singleElement().asString().startsWith("No validation has finished");
    }

    @Test
    void theHistoryIsCopiedByACompleteLegacyToNewBackfillSinceTheCurrentDualWritesBegan() {
        assertThat(PromotionGates.historyCopied(Optional.of(backfill(DUAL_BEGAN, true)), history())).isTrue();
        assertThat(PromotionGates.historyCopied(Optional.of(backfill(CURRENT, true)), history())).isTrue();
        assertThat(PromotionGates.historyCopied(Optional.empty(), history())).isFalse();
        assertThat(PromotionGates.historyCopied(Optional.of(backfill(CURRENT, false)), history())).isFalse();
        assertThat(PromotionGates.historyCopied(Optional.of(backfill(DUAL_BEGAN - 2, true)), history()))
                .as("from an earlier run of dual writes").isFalse();
        List<PhaseChange> storedAsNewOnly = List.of(new PhaseChange(null, NEW_ONLY, 1, T0, "configuration", ""));
        assertThat(PromotionGates.historyCopied(Optional.empty(), storedAsNewOnly))
                .as("stored as NEW_ONLY from the start: nothing proves the legacy store held nothing").isFalse();
        assertThat(PromotionGates.historyCopied(Optional.of(backfill(1, true)), storedAsNewOnly)).isTrue();
        assertThatThrownBy(() -> PromotionGates.historyCopied(Optional.of(new BackfillResult(BackfillDirection.NEW_TO_LEGACY,
                CURRENT, T0, T0, true, 0, 0, 0, Optional.empty())), history())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dualWritingBeganAtTheNewestMoveFromLegacyOnlyOrAtTheInitialisation() {
        assertThat(PromotionGates.dualWritingBegan(allInOrder(PhaseTransition.DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY)
                .history())).isEqualTo(DUAL_BEGAN);
        assertThat(PromotionGates.dualWritingBegan(history().subList(1, 4))).isEqualTo(2);
        assertThat(PromotionGates.dualWritingBegan(List.of(new PhaseChange(null, DUAL_WRITE_LEGACY_PRIMARY, 1, T0,
                "configuration", "")))).isEqualTo(1);
    }

    @Test
    void aMoveThatIsNotInTheTableIsNotGatedButRefusedAsIllegal() {
        PromotionGates.Facts facts = allInOrder(PhaseTransition.LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY);

        assertThatThrownBy(() -> PromotionGates.refusals(facts, NEW_ONLY)).isInstanceOf(IllegalPhaseTransitionException.class);
        assertThatThrownBy(() -> PromotionGates.refusals(facts, LEGACY_ONLY)).isInstanceOf(IllegalPhaseTransitionException.class);
    }

    @Test
    void theFactsTakeOnlyALegacyToNewBackfill() {
        assertThatThrownBy(() -> new PromotionGates.Facts(new PhaseState(LEGACY_ONLY, 1, T0),
                Optional.of(SecondaryWriteQueue.Backlog.EMPTY), Optional.empty(),
                Optional.of(new BackfillResult(BackfillDirection.NEW_TO_LEGACY, 1, T0, T0, true, 0, 0, 0, Optional.empty())),
                List.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("new-to-legacy");
    }
}
