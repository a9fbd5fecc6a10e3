package io.datastorage.core.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a phase move may be made now: the list of refusals, one sentence each, for a move from
 * the current state to {@code to}; an empty list lets it pass. Pure: it reads only what it is
 * given, so every replica given the same facts answers the same.
 *
 * <p>The gates, for every move of {@link PhaseTransition}, forward or back:
 * <ol>
 *   <li>the secondary queue is empty (a backlog that could not be read refuses too): a write owed
 *       to one store must reach it before that store's role changes;</li>
 *   <li>a sync validation that <em>started</em> under the current phase version finished and was
 *       consistent (after its repair, if it repaired): a validation started before the last change
 *       does not speak for what was written since. Except {@code LEGACY_ONLY →
 *       DUAL_WRITE_LEGACY_PRIMARY}, where the new store is not written yet and there is nothing to
 *       compare;</li>
 *   <li>the promotion {@code DUAL_WRITE_LEGACY_PRIMARY → DUAL_WRITE_NEW_PRIMARY} also needs a
 *       complete {@code legacy-to-new} backfill that started at or after the version that began
 *       the current run of dual writing ({@link #dualWritingBegan}): only then does the new store
 *       hold the history written before the dual writes, as well as what they wrote. Not the step
 *       back {@code NEW_ONLY → DUAL_WRITE_NEW_PRIMARY}: there PostgreSQL, the primary on both sides
 *       of the move, holds every record already, the legacy store is the one that may lack some
 *       (those written in {@code NEW_ONLY}), and gate 2's consistent validation is what proves it
 *       holds them (a {@code new-to-legacy} backfill, or a validation with repair, copies
 *       them).</li>
 * </ol>
 *
 * <p>The caller reads the facts, asks the gates, then changes the phase naming the version the
 * gates were asked under ({@link PhaseStore#change}), so a change that slipped in meanwhile makes
 * the move fail as stale rather than pass unchecked.
 */
public final class PromotionGates {

    private PromotionGates() {
    }

    /**
     * What the gates read.
     *
     * @param current      the current phase and version
     * @param backlog      the secondary queue's backlog; empty when it could not be read
     * @param validation   the last finished validation ({@link MigrationRuns#lastValidation()})
     * @param backfill     the last finished {@code legacy-to-new} backfill
     *                     ({@link MigrationRuns#lastBackfill}); read only for the move
     *                     {@code DUAL_WRITE_LEGACY_PRIMARY → DUAL_WRITE_NEW_PRIMARY}
     * @param history      the phase history, newest first, back at least to the version that began the
     *                     current run of dual writing (all of it is always enough)
     */
    public record Facts(PhaseState current, Optional<SecondaryWriteQueue.Backlog> backlog,
                        Optional<ValidationResult> validation, Optional<BackfillResult> backfill,
                        List<PhaseChange> history) {
        public Facts {
            Objects.requireNonNull(current, "current");
            Objects.requireNonNull(backlog, "backlog");
            Objects.requireNonNull(validation, "validation");
            Objects.requireNonNull(backfill, "backfill");
            history = List.copyOf(history);
            if (backfill.isPresent() && backfill.get().direction() != BackfillDirection.LEGACY_TO_NEW) {
                throw new IllegalArgumentException("the gates read the last legacy-to-new backfill, was "
                        + backfill.get().direction().value());
            }
        }
    }

    /**
     * The refusals of the move from {@code facts.current()} to {@code to}, in the order of the
     * gates; empty when the move may be made.
     *
     * @throws IllegalPhaseTransitionException the move is not in {@link PhaseTransition}'s table (no
     *                                         gate can let it pass)
     */
    public static List<String> refusals(Facts facts, MigrationPhase to) {
        Objects.requireNonNull(facts, "facts");
        PhaseState current = facts.current();
        PhaseTransition move = PhaseTransition.between(current.phase(), to);
        List<String> refusals = new ArrayList<>();
        if (facts.backlog().isEmpty()) {
            refusals.add("The secondary queue's backlog could not be read; a move needs it to be empty.");
        } else if (facts.backlog().get().depth() > 0) {
            refusals.add("The secondary queue holds " + facts.backlog().get().depth() + " write"
                    + (facts.backlog().get().depth() == 1 ? "" : "s") + " owed to the secondary store; "
                    + "a move needs it to be empty (its job drains it every second).");
        }
        if (move != PhaseTransition.LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY) {
            validationRefusal(facts.validation(), current).ifPresent(refusals::add);
        }
        if (move == PhaseTransition.DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY) {
            backfillRefusal(facts.backfill(), dualWritingBegan(facts.history())).ifPresent(refusals::add);
        }
        return List.copyOf(refusals);
    }

    private static Optional<String> validationRefusal(Optional<ValidationResult> last, PhaseState current) {
        String need = "a move needs a consistent validation started under the current phase version "
                + current.version() + " (POST /api/v1/admin/migration/validate, with ?repair=true to repair from the primary).";
        if (last.isEmpty()) {
            return Optional.of("No validation has finished; " + need);
        }
        ValidationResult validation = last.get();
        if (validation.phaseVersion() != current.version()) {
            return Optional.of("The last validation started under phase version " + validation.phaseVersion()
                    + ", not the current one; " + need);
        }
        if (!validation.report().consistent()) {
            SyncReport report = validation.report();
            return Optional.of("The last validation found differences left (missing in new " + report.missingInNew()
                    + ", missing in legacy " + report.missingInLegacy() + ", differing " + report.differing()
                    + (report.unreadable() > 0 ? ", unreadable in the legacy store " + report.unreadable()
                    + ", never repaired: repair or remove them there by hand" : "")
                    + "); " + need);
        }
        return Optional.empty();
    }

    private static Optional<String> backfillRefusal(Optional<BackfillResult> last, long dualWritingBegan) {
        String need = "a move to DUAL_WRITE_NEW_PRIMARY needs a complete legacy-to-new backfill started at or after "
                + "phase version " + dualWritingBegan + ", which began the current dual writes "
                + "(POST /api/v1/admin/migration/backfill).";
        if (last.isEmpty()) {
            return Optional.of("No legacy-to-new backfill has finished; " + need);
        }
        BackfillResult backfill = last.get();
        if (!backfill.complete()) {
            return Optional.of("The last legacy-to-new backfill stopped early (" + backfill.error().orElse("")
                    + "); " + need);
        }
        if (backfill.phaseVersion() < dualWritingBegan) {
            return Optional.of("The last legacy-to-new backfill started under phase version " + backfill.phaseVersion()
                    + ", before the current dual writes began; " + need);
        }
        return Optional.empty();
    }

    /**
     * Whether the new store holds the legacy store's history: {@code lastLegacyToNew}, the last
     * finished {@code legacy-to-new} backfill, completed and started at or after the version that
     * began the current run of dual writing ({@link #dualWritingBegan}). The same test as the
     * backfill gate's, for {@link MigrationReads#newSideComplete()}.
     *
     * @param history newest first, back at least to the version that began the current run of dual writing
     */
    public static boolean historyCopied(Optional<BackfillResult> lastLegacyToNew, List<PhaseChange> history) {
        Objects.requireNonNull(lastLegacyToNew, "lastLegacyToNew");
        if (lastLegacyToNew.isPresent() && lastLegacyToNew.get().direction() != BackfillDirection.LEGACY_TO_NEW) {
            throw new IllegalArgumentException("the history is copied by a legacy-to-new backfill, was "
                    + lastLegacyToNew.get().direction().value());
        }
        return backfillRefusal(lastLegacyToNew, dualWritingBegan(history)).isEmpty();
    }

    /**
     * The version that began the current run of dual writing: the newest move
     * {@code LEGACY_ONLY → DUAL_WRITE_LEGACY_PRIMARY}; when the history has none, the initialisation
     * (version 1), since the phase was then stored in a later phase from the start.
     *
     * @param history newest first
     */
    public static long dualWritingBegan(List<PhaseChange> history) {
        for (PhaseChange change : history) {
            if (change.from() == MigrationPhase.LEGACY_ONLY && change.to() == MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY) {
                return change.version();
            }
        }
        return 1;
    }
}
