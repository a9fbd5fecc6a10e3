package io.datastorage.core.migration;

import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.datastorage.core.migration.MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY;
import static io.datastorage.core.migration.MigrationPhase.DUAL_WRITE_NEW_PRIMARY;
import static io.datastorage.core.migration.MigrationPhase.LEGACY_ONLY;
import static io.datastorage.core.migration.MigrationPhase.NEW_ONLY;
import static io.datastorage.core.migration.MigrationSide.LEGACY;
import static io.datastorage.core.migration.MigrationSide.NEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The phases as data and the table of moves between them. */
class MigrationPhaseTest {

    @Test
    void eachPhaseSaysWhereWritesGoAndWhereReadsComeFrom() {
        assertThat(LEGACY_ONLY).extracting(MigrationPhase::primary, MigrationPhase::secondary,
                MigrationPhase::readsFrom, MigrationPhase::writesTo)
                .containsExactly(LEGACY, Optional.empty(), LEGACY, List.of(LEGACY));
        assertThat(DUAL_WRITE_LEGACY_PRIMARY).extracting(MigrationPhase::primary, MigrationPhase::secondary,
                MigrationPhase::readsFrom, MigrationPhase::writesTo)
                .containsExactly(LEGACY, Optional.of(NEW), LEGACY, List.of(LEGACY, NEW));
        assertThat(DUAL_WRITE_NEW_PRIMARY).extracting(MigrationPhase::primary, MigrationPhase::secondary,
                MigrationPhase::readsFrom, MigrationPhase::writesTo)
                .containsExactly(NEW, Optional.of(LEGACY), NEW, List.of(NEW, LEGACY));
        assertThat(NEW_ONLY).extracting(MigrationPhase::primary, MigrationPhase::secondary,
                MigrationPhase::readsFrom, MigrationPhase::writesTo)
                .containsExactly(NEW, Optional.empty(), NEW, List.of(NEW));
    }

    @Property
    void noPhaseHasTheSameStoreAsPrimaryAndSecondary(@ForAll MigrationPhase phase) {
        assertThat(phase.secondary()).isNotEqualTo(Optional.of(phase.primary()));
        assertThat(phase.isDualWrite()).isEqualTo(phase.secondary().isPresent());
        assertThat(phase.readsFrom()).isEqualTo(phase.primary());
    }

    @Test
    void theTableHoldsExactlyTheSixStepsForwardAndBack() {
        assertThat(Arrays.stream(PhaseTransition.values()).map(t -> t.from() + "->" + t.to()))
                .containsExactlyInAnyOrder(
                        "LEGACY_ONLY->DUAL_WRITE_LEGACY_PRIMARY", "DUAL_WRITE_LEGACY_PRIMARY->LEGACY_ONLY",
                        "DUAL_WRITE_LEGACY_PRIMARY->DUAL_WRITE_NEW_PRIMARY", "DUAL_WRITE_NEW_PRIMARY->DUAL_WRITE_LEGACY_PRIMARY",
                        "DUAL_WRITE_NEW_PRIMARY->NEW_ONLY", "NEW_ONLY->DUAL_WRITE_NEW_PRIMARY");
        assertThat(LEGACY_ONLY.allowedMoves()).containsExactly(DUAL_WRITE_LEGACY_PRIMARY);
        assertThat(DUAL_WRITE_LEGACY_PRIMARY.allowedMoves()).containsExactly(LEGACY_ONLY, DUAL_WRITE_NEW_PRIMARY);
        assertThat(DUAL_WRITE_NEW_PRIMARY.allowedMoves()).containsExactly(DUAL_WRITE_LEGACY_PRIMARY, NEW_ONLY);
        assertThat(NEW_ONLY.allowedMoves()).containsExactly(DUAL_WRITE_NEW_PRIMARY);
    }

    /** All 16 pairs: a move is legal exactly when it is one step, and every other throws naming it. */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void aMoveIsLegalExactlyWhenItIsOneStep(@ForAll MigrationPhase from, @ForAll MigrationPhase to) {
        boolean oneStep = Math.abs(from.ordinal() - to.ordinal()) == 1;

        assertThat(PhaseTransition.isAllowed(from, to)).isEqualTo(oneStep);
        assertThat(from.allowedMoves().contains(to)).isEqualTo(oneStep);
        if (oneStep) {
            PhaseTransition move = PhaseTransition.between(from, to);
            assertThat(move.from()).isEqualTo(from);
            assertThat(move.to()).isEqualTo(to);
            assertThat(move.isForward()).isEqualTo(to.ordinal() > from.ordinal());
            assertThat(move.name()).isEqualTo(from + "_TO_" + to);
        } else {
            assertThatThrownBy(() -> PhaseTransition.between(from, to))
                    .isInstanceOfSatisfying(IllegalPhaseTransitionException.class, e -> {
                        assertThat(e.from()).isEqualTo(from);
                        assertThat(e.to()).isEqualTo(to);
                        assertThat(e.allowed()).isEqualTo(from.allowedMoves());
                    })
                    .hasMessageContaining("from " + from + " to " + to);
        }
    }

    @Test
    void anIllegalMoveSaysWhichMovesAreAllowed() {
        assertThatThrownBy(() -> PhaseTransition.between(LEGACY_ONLY, DUAL_WRITE_NEW_PRIMARY))
                .hasMessage("the migration phase cannot move from LEGACY_ONLY to DUAL_WRITE_NEW_PRIMARY: a phase "
                        + "moves one step at a time, from LEGACY_ONLY only to DUAL_WRITE_LEGACY_PRIMARY");
        assertThatThrownBy(() -> PhaseTransition.between(DUAL_WRITE_NEW_PRIMARY, DUAL_WRITE_NEW_PRIMARY))
                .hasMessage("the migration phase cannot move from DUAL_WRITE_NEW_PRIMARY to DUAL_WRITE_NEW_PRIMARY "
                        + "(it is already DUAL_WRITE_NEW_PRIMARY): a phase moves one step at a time, from "
                        + "DUAL_WRITE_NEW_PRIMARY only to DUAL_WRITE_LEGACY_PRIMARY or NEW_ONLY");
    }

    @Test
    void onlyTheInitialisationHasNoPreviousPhase() {
        Instant at = Instant.parse("2026-11-20T12:00:00Z");
        assertThatThrownBy(() -> new PhaseChange(null, NEW_ONLY, 2, at, "ops", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PhaseChange(LEGACY_ONLY, NEW_ONLY, 1, at, "ops", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PhaseState(NEW_ONLY, 0, at)).hasMessageContaining("was 0");
    }
}
