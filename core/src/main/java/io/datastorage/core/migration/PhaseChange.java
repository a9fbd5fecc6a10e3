package io.datastorage.core.migration;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the phase history: the move to {@code to} that made {@code version} current.
 *
 * @param from    the phase before, or {@code null} for the entry of version 1, which records how
 *                the phase was first stored ({@link PhaseStore#initialiseIfAbsent})
 * @param version the version this change made current
 * @param at      when it was stored (by the store's clock)
 * @param who     who asked for it (an authenticated caller, {@code configuration} at start-up, …)
 * @param reason  why, as given by the caller (may be empty)
 * @param forced  whether the caller skipped the promotion gates ({@link PromotionGates}); a forced
 *                change always has a reason
 */
public record PhaseChange(MigrationPhase from, MigrationPhase to, long version, Instant at, String who,
                          String reason, boolean forced) {
    public PhaseChange {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(reason, "reason");
        if (version < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + version);
        }
        if ((from == null) != (version == 1)) {
            throw new IllegalArgumentException("only version 1 (the initialisation) has no previous phase, was version "
                    + version + " from " + from);
        }
    }

    /** A change made through the gates (not forced). */
    public PhaseChange(MigrationPhase from, MigrationPhase to, long version, Instant at, String who, String reason) {
        this(from, to, version, at, who, reason, false);
    }

    /** The phase before, empty for the initialisation. */
    public Optional<MigrationPhase> previous() {
        return Optional.ofNullable(from);
    }
}
