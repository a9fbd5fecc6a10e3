package io.datastorage.core.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * How the router and the reads run a migration.
 *
 * @param secondary        what a failed secondary write does in a dual-write phase
 * @param mode             whether the secondary is written before the answer or by the queue job
 * @param shadowReadRatio  the share (0..1) of reads by id and of listed items also read from the
 *                         secondary, off the request path, and compared
 * @param secondaryTimeout the longest one call to the secondary (and one legacy put) may take, more
 *                         than zero; a call that takes longer counts as failed, its outcome unknown
 */
public record MigrationSettings(SecondaryPolicy secondary, SecondaryMode mode, double shadowReadRatio,
                                Duration secondaryTimeout) {
    public MigrationSettings {
        Objects.requireNonNull(secondary, "secondary");
        Objects.requireNonNull(mode, "mode");
        if (!(shadowReadRatio >= 0 && shadowReadRatio <= 1)) {
            throw new IllegalArgumentException("the shadow read ratio must be 0..1, was " + shadowReadRatio);
        }
        if (secondaryTimeout == null || secondaryTimeout.isNegative() || secondaryTimeout.isZero()) {
            throw new IllegalArgumentException("the secondary timeout must be more than zero, was " + secondaryTimeout);
        }
    }

    /** Policy {@code queue}, mode {@code sync}, 1 % of reads shadowed, 5 s per secondary call. */
    public static MigrationSettings defaults() {
        return new MigrationSettings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC, 0.01, Duration.ofSeconds(5));
    }
}
