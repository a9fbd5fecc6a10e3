package io.datastorage.core.migration;

import java.util.List;
import java.util.Optional;

/**
 * Where a migration from a legacy store to PostgreSQL stands: one value, never a set of flags, so
 * that no illegal combination (two primaries, reads from a side that is not written) can be
 * expressed. Each phase says, as data, which store is the primary (written first, its outcome is the
 * answer, reads come from it), which is the secondary (written after the primary, per policy) or
 * that there is none.
 *
 * <p>The phases form a line, {@code LEGACY_ONLY → DUAL_WRITE_LEGACY_PRIMARY → DUAL_WRITE_NEW_PRIMARY
 * → NEW_ONLY}, walked one step at a time forward or back; {@link PhaseTransition} is the table of
 * those moves.
 */
public enum MigrationPhase {
    /** Only the legacy store is written and read: datastorage validates in front of it. */
    LEGACY_ONLY(MigrationSide.LEGACY, null),
    /** Both are written, the legacy store first; it answers and serves reads. */
    DUAL_WRITE_LEGACY_PRIMARY(MigrationSide.LEGACY, MigrationSide.NEW),
    /** Both are written, PostgreSQL first; it answers and serves reads. */
    DUAL_WRITE_NEW_PRIMARY(MigrationSide.NEW, MigrationSide.LEGACY),
    /** Only PostgreSQL is written and read: the migration is over (also: no legacy store at all). */
    NEW_ONLY(MigrationSide.NEW, null);

    private final MigrationSide primary;
    private final MigrationSide secondary;

    MigrationPhase(MigrationSide primary, MigrationSide secondary) {
        this.primary = primary;
        this.secondary = secondary;
    }

    /** The store written first, whose outcome decides the answer. */
    public MigrationSide primary() {
        return primary;
    }

    /** The store written after the primary, or none when only one store is written. */
    public Optional<MigrationSide> secondary() {
        return Optional.ofNullable(secondary);
    }

    /** The store that GET by id and listings read from: always the primary. */
    public MigrationSide readsFrom() {
        return primary;
    }

    /** The stores a write goes to, the primary first. */
    public List<MigrationSide> writesTo() {
        return secondary == null ? List.of(primary) : List.of(primary, secondary);
    }

    /** Whether both stores are written. */
    public boolean isDualWrite() {
        return secondary != null;
    }

    /** The phases this one may move to, forward first: {@link PhaseTransition#allowedFrom}. */
    public List<MigrationPhase> allowedMoves() {
        return PhaseTransition.allowedFrom(this);
    }
}
