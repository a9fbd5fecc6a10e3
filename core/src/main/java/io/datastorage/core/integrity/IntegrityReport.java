package io.datastorage.core.integrity;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a verification.
 *
 * @param chains  how many chains were looked at
 * @param records how many links were recomputed and found to hold
 * @param broken  each broken chain's first broken link, by kind then month
 * @param full    whether every chain was walked from its start ({@code false}: from its checkpoint)
 */
public record IntegrityReport(boolean consistent, int chains, long records, List<BrokenLink> broken,
                              Instant startedAt, Instant finishedAt, boolean full) {
    public IntegrityReport {
        broken = List.copyOf(broken);
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        if (consistent != broken.isEmpty()) {
            throw new IllegalArgumentException("consistent exactly when nothing is broken");
        }
    }
}
