package io.datastorage.core.migration;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A phase change asked for a move that is not in {@link PhaseTransition}'s table: a skipped phase,
 * or the phase it already is. Permanent for the request ({@link Component#REQUEST}): the same move
 * never becomes legal; the caller must ask for one of {@link #allowed()}, one step at a time.
 * Nothing was changed.
 */
public final class IllegalPhaseTransitionException extends PermanentException {
    private final MigrationPhase from;
    private final MigrationPhase to;
    private final List<MigrationPhase> allowed;

    public IllegalPhaseTransitionException(MigrationPhase from, MigrationPhase to, List<MigrationPhase> allowed) {
        super(Component.REQUEST, message(from, to, allowed), null);
        this.from = from;
        this.to = to;
        this.allowed = List.copyOf(allowed);
    }

    private static String message(MigrationPhase from, MigrationPhase to, List<MigrationPhase> allowed) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        String moves = allowed.stream().map(MigrationPhase::name).collect(Collectors.joining(" or "));
        return "the migration phase cannot move from " + from + " to " + to
                + (from == to ? " (it is already " + to + ")" : "")
                + ": a phase moves one step at a time, from " + from + " only to " + moves;
    }

    /** The phase the move was asked from (the current one). */
    public MigrationPhase from() {
        return from;
    }

    /** The phase asked for. */
    public MigrationPhase to() {
        return to;
    }

    /** The phases {@link #from()} may move to. */
    public List<MigrationPhase> allowed() {
        return allowed;
    }
}
