package io.datastorage.core.migration;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every legal move between two {@link MigrationPhase}s, and nothing else: one step along the line
 * of phases, forward or back (a rollback is always one step back). Modelled on Resilience4j's
 * circuit-breaker {@code StateTransition}: the table is written out rather than computed from the
 * phases' order, so a reader sees every move in one place and a new phase cannot slip in a move by
 * accident.
 */
public enum PhaseTransition {
    LEGACY_ONLY_TO_DUAL_WRITE_LEGACY_PRIMARY(MigrationPhase.LEGACY_ONLY, MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY),
    DUAL_WRITE_LEGACY_PRIMARY_TO_LEGACY_ONLY(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY, MigrationPhase.LEGACY_ONLY),
    DUAL_WRITE_LEGACY_PRIMARY_TO_DUAL_WRITE_NEW_PRIMARY(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY,
            MigrationPhase.DUAL_WRITE_NEW_PRIMARY),
    DUAL_WRITE_NEW_PRIMARY_TO_DUAL_WRITE_LEGACY_PRIMARY(MigrationPhase.DUAL_WRITE_NEW_PRIMARY,
            MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY),
    DUAL_WRITE_NEW_PRIMARY_TO_NEW_ONLY(MigrationPhase.DUAL_WRITE_NEW_PRIMARY, MigrationPhase.NEW_ONLY),
    NEW_ONLY_TO_DUAL_WRITE_NEW_PRIMARY(MigrationPhase.NEW_ONLY, MigrationPhase.DUAL_WRITE_NEW_PRIMARY);

    private static final Map<Move, PhaseTransition> BY_MOVE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(t -> new Move(t.from, t.to), Function.identity()));

    private record Move(MigrationPhase from, MigrationPhase to) {
    }

    private final MigrationPhase from;
    private final MigrationPhase to;

    PhaseTransition(MigrationPhase from, MigrationPhase to) {
        this.from = from;
        this.to = to;
    }

    /**
     * The move from {@code from} to {@code to}.
     *
     * @throws IllegalPhaseTransitionException the move is not in the table (not adjacent, or no
     *         move at all: {@code from == to})
     */
    public static PhaseTransition between(MigrationPhase from, MigrationPhase to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        PhaseTransition transition = BY_MOVE.get(new Move(from, to));
        if (transition == null) {
            throw new IllegalPhaseTransitionException(from, to, allowedFrom(from));
        }
        return transition;
    }

    /** Whether the table has the move from {@code from} to {@code to}. */
    public static boolean isAllowed(MigrationPhase from, MigrationPhase to) {
        return BY_MOVE.containsKey(new Move(from, to));
    }

    /** The phases {@code from} may move to, in phase order. */
    public static List<MigrationPhase> allowedFrom(MigrationPhase from) {
        Objects.requireNonNull(from, "from");
        return Arrays.stream(values()).filter(t -> t.from == from).map(t -> t.to).sorted().toList();
    }

    public MigrationPhase from() {
        return from;
    }

    public MigrationPhase to() {
        return to;
    }

    /** Whether this move goes towards {@link MigrationPhase#NEW_ONLY} (else it is a rollback). */
    public boolean isForward() {
        return to.ordinal() > from.ordinal();
    }
}
