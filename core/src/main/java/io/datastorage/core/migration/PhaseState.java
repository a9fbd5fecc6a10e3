package io.datastorage.core.migration;

import java.time.Instant;
import java.util.Objects;

/**
 * The current phase of the migration, with its version: 1 when first stored, one more with each
 * change. The version is what a phase change must name ({@link PhaseStore#change}) and what a write
 * carries to say which phase it runs under.
 *
 * @param changedAt when this version was stored (by the store's clock: the database's for PostgreSQL)
 */
public record PhaseState(MigrationPhase phase, long version, Instant changedAt) {
    public PhaseState {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(changedAt, "changedAt");
        if (version < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + version);
        }
    }
}
