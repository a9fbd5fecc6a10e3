package io.datastorage.core.migration;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PromotionGates} over arbitrary facts: a move passes exactly when the queue is empty, the
 * validation (where needed) started under the current version and was consistent, and (for the
 * promotion {@code DUAL_WRITE_LEGACY_PRIMARY → DUAL_WRITE_NEW_PRIMARY} only, not the step back from
 * {@code NEW_ONLY}) the backfill completed and started no earlier than the dual writes began; and
 * the same facts always give the same refusals.
 */
@PropertyDefaults(tries = 500)
class PromotionGatesPropertiesTest {
    static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    @Provide
    Arbitrary<PhaseTransition> moves() {
        return Arbitraries.of(PhaseTransition.class);
    }

    @Property
    void aMovePassesExactlyWhenEveryGateItNeedsIsMet(@ForAll("moves") PhaseTransition move,
                                                     @ForAll @LongRange(min = 0, max = 3) long depth,
                                                     @ForAll boolean backlogRead,
                                                     @ForAll @IntRange(min = 0, max = 3) int validationCase,
                                                     @ForAll @IntRange(min = 0, max = 3) int backfillCase,
                                                     @ForAll @LongRange(min = 2, max = 20) long dualBegan,
                                                     @ForAll @LongRange(min = 0, max = 20) long sinceBegan) {
        long current = dualBegan + sinceBegan;
        Optional<SecondaryWriteQueue.Backlog> backlog = backlogRead
                ? Optional.of(depth == 0 ? SecondaryWriteQueue.Backlog.EMPTY
                : new SecondaryWriteQueue.Backlog(depth, Optional.of(T0))) : Optional.empty();
        // 0: none; 1: under an older version; 2: under the current one, inconsistent; 3: under the current one, consistent
        Optional<ValidationResult> validation = validationCase == 0 ? Optional.empty()
                : Optional.of(new ValidationResult(validationCase == 1 ? current - 1 : current, false, T0,
                new SyncReport(1, validationCase == 2 ? 1 : 0, 0, 0, 0, validationCase != 2, 0, T0, List.of(), List.of(),
                        List.of())));
        // 0: none; 1: stopped early; 2: complete, from before the dual writes; 3: complete, since they began
        Optional<BackfillResult> backfill = backfillCase == 0 ? Optional.empty()
                : Optional.of(new BackfillResult(BackfillDirection.LEGACY_TO_NEW, backfillCase == 2 ? dualBegan - 1 : dualBegan,
                T0, T0, backfillCase != 1, 1, 1, 0, backfillCase == 1 ? Optional.of("stopped") : Optional.empty()));
        List<PhaseChange> history = List.of(
                new PhaseChange(MigrationPhase.LEGACY_ONLY, MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY, dualBegan, T0, "ops", ""),
                new PhaseChange(null, MigrationPhase.LEGACY_ONLY, 1, T0, "configuration", ""));
        PromotionGates.Facts facts = new PromotionGates.Facts(new PhaseState(move.from(), current, T0), backlog, validation,
                backfill, history);

        List<String> refusals = PromotionGates.refusals(facts, move.to());

        boolean queueOk = backlogRead && depth == 0;
        boolean validationOk = move == PhaseTransition.LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY || validationCase == 3;
        boolean backfillOk = move != PhaseTransition.DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY || backfillCase == 3;
        assertThat(refusals.isEmpty()).isEqualTo(queueOk && validationOk && backfillOk);
        assertThat(refusals).hasSize((queueOk ? 0 : 1) + (validationOk ? 0 : 1) + (backfillOk ? 0 : 1));
        assertThat(PromotionGates.refusals(facts, move.to())).isEqualTo(refusals);
    }
}
