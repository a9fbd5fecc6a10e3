package io.datastorage.core.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the migration phase is kept: the current {@link PhaseState} and the history of every
 * change, shared by every replica (PostgreSQL), or kept in this process (one replica, tests).
 *
 * <p>Contract (checked for every implementation by the shared contract suite):
 * <ul>
 *   <li><b>Shapes.</b> Before anything is stored, {@link #current()} is empty. The first stored
 *       state has version 1; each change adds exactly one to the version, so versions are gapless.
 *       The history has one entry per version: version 1 records the initialisation (no previous
 *       phase), every later entry the move that made its version current.</li>
 *   <li><b>Initialisation.</b> {@link #initialiseIfAbsent} stores the start phase only when none is
 *       stored; otherwise it changes nothing and returns what is stored. Concurrent initialisations
 *       store exactly one phase, and all of them return it.</li>
 *   <li><b>Changes are compare-and-set.</b> {@link #change} succeeds only when
 *       {@code expectedVersion} is the current version <em>and</em> the move is in
 *       {@link PhaseTransition}'s table; the new state and its history entry are stored together or
 *       not at all. Of several changes naming the same expected version, however concurrent
 *       (threads, replicas), exactly one wins; the others get {@link StalePhaseVersionException}.
 *       A refused change stores nothing.</li>
 *   <li><b>Errors.</b> A stale version → {@link StalePhaseVersionException} (checked first: a move
 *       judged against a phase the caller did not see would mislead); an illegal move →
 *       {@link IllegalPhaseTransitionException}; a change before any initialisation →
 *       {@link IllegalStateException}; bad arguments → {@link IllegalArgumentException}; a store
 *       that cannot be reached → {@link io.datastorage.core.store.StoreUnavailableException} (for a
 *       change: its outcome is then unknown; read {@link #current()} to learn it).</li>
 *   <li><b>History</b> is read newest first, a bounded page at a time, paged by version.</li>
 * </ul>
 *
 * <p>The store knows nothing of gates (an empty secondary queue, a clean validation): whoever calls
 * {@link #change} checks them first and names the version they were checked under, so a change
 * that slipped in meanwhile makes the move fail rather than pass unchecked.
 */
public interface PhaseStore {

    /** The most history entries one page returns. */
    int MAX_HISTORY_PAGE = 1000;

    /** The longest {@code who}, in characters. */
    int MAX_WHO_LENGTH = 255;

    /** The longest {@code reason}, in characters. */
    int MAX_REASON_LENGTH = 1024;

    /** The current phase and its version; empty while none has been stored. */
    Optional<PhaseState> current();

    /**
     * Stores {@code phase} as version 1 when no phase is stored yet, recording {@code who} and
     * {@code reason} in the history; otherwise changes nothing.
     *
     * @return what is stored now: the new state, or the one stored before (whatever its phase)
     */
    PhaseState initialiseIfAbsent(MigrationPhase phase, String who, String reason);

    /**
     * Moves the phase to {@code to} if the current version is {@code expectedVersion} and the move
     * is legal, storing the new state (version + 1) and its history entry in one atomic step.
     *
     * @return the new state
     * @throws StalePhaseVersionException      the current version is not {@code expectedVersion}
     * @throws IllegalPhaseTransitionException the move from the current phase to {@code to} is not allowed
     * @throws IllegalStateException           no phase is stored yet
     */
    default PhaseState change(long expectedVersion, MigrationPhase to, String who, String reason) {
        return change(expectedVersion, to, who, reason, false);
    }

    /**
     * As {@link #change(long, MigrationPhase, String, String)}, recording in the history whether the
     * caller skipped the promotion gates ({@link PhaseChange#forced()}). The store checks no gate
     * either way; a forced change must give a non-blank reason.
     *
     * @throws IllegalArgumentException {@code forced} without a non-blank reason, or a bad argument
     */
    PhaseState change(long expectedVersion, MigrationPhase to, String who, String reason, boolean forced);

    /**
     * History entries with a version below {@code beforeVersion}, newest first, at most
     * {@code limit}; the next page starts before the last entry's version.
     *
     * @param limit 1..{@link #MAX_HISTORY_PAGE}
     */
    List<PhaseChange> history(long beforeVersion, int limit);

    /** The newest {@code limit} history entries, newest first. */
    default List<PhaseChange> history(int limit) {
        return history(Long.MAX_VALUE, limit);
    }

    /**
     * The history, newest first, back to the version that began the current run of dual writing
     * (the newest move {@code LEGACY_ONLY → DUAL_WRITE_LEGACY_PRIMARY}), or all of it when there is
     * none: what {@link PromotionGates} reads, a page at a time.
     */
    default List<PhaseChange> historySinceDualWritingBegan() {
        List<PhaseChange> history = new ArrayList<>();
        List<PhaseChange> page = history(MAX_HISTORY_PAGE);
        while (!page.isEmpty()) {
            history.addAll(page);
            if (page.stream().anyMatch(c -> c.from() == MigrationPhase.LEGACY_ONLY
                    && c.to() == MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY)) {
                break;
            }
            page = history(page.getLast().version(), MAX_HISTORY_PAGE);
        }
        return List.copyOf(history);
    }

    /** Checks the arguments of a change or an initialisation, as every implementation does. */
    static void checkArguments(MigrationPhase phase, String who, String reason) {
        if (phase == null) {
            throw new IllegalArgumentException("a migration phase is required");
        }
        if (who == null || who.isBlank() || who.codePointCount(0, who.length()) > MAX_WHO_LENGTH) {
            throw new IllegalArgumentException("who changes the migration phase must be named in 1.."
                    + MAX_WHO_LENGTH + " characters, was " + (who == null ? null
                    : who.isBlank() ? "blank" : who.codePointCount(0, who.length()) + " characters"));
        }
        for (String text : new String[] {who, reason}) {
            String unstorable = text == null ? null : io.datastorage.core.audit.AuditValidator.unstorableCharacter(text);
            if (unstorable != null) {
                // PostgreSQL's text refuses NUL: a store failure (5xx) for what is the caller's mistake
                throw new IllegalArgumentException((text == who ? "who" : "the reason") + " of a migration phase change "
                        + "must not contain " + unstorable);
            }
        }
        if (reason == null || reason.codePointCount(0, reason.length()) > MAX_REASON_LENGTH) {
            throw new IllegalArgumentException("the reason for a migration phase change must be at most "
                    + MAX_REASON_LENGTH + " characters (may be empty), was "
                    + (reason == null ? null : reason.codePointCount(0, reason.length()) + " characters"));
        }
    }

    /** Checks the arguments of a change, as every implementation does: those of any change, and a reason when forced. */
    static void checkArguments(MigrationPhase phase, String who, String reason, boolean forced) {
        checkArguments(phase, who, reason);
        if (forced && reason.isBlank()) {
            throw new IllegalArgumentException("a forced migration phase change must say why: the reason must not be blank");
        }
    }

    /** Checks a history page's limit. */
    static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_HISTORY_PAGE) {
            throw new IllegalArgumentException("a history page holds 1.." + MAX_HISTORY_PAGE + " entries, was " + limit);
        }
    }
}
