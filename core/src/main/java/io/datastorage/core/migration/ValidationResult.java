package io.datastorage.core.migration;

import java.time.Instant;
import java.util.Objects;

/**
 * A finished sync validation, as every replica reads it ({@link MigrationRuns}); the promotion gates
 * allow a move only after a consistent one that started under the current phase version.
 *
 * @param phaseVersion the phase version current when the run started
 * @param repair       whether the run repaired from the primary ({@code report.repaired()} says how many)
 * @param finishedAt   when it ended, at or after {@code report.startedAt()}
 * @param report       what it found
 */
public record ValidationResult(long phaseVersion, boolean repair, Instant finishedAt, SyncReport report) {
    public ValidationResult {
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(report, "report");
        if (phaseVersion < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + phaseVersion);
        }
        if (finishedAt.isBefore(report.startedAt())) {
            throw new IllegalArgumentException("a validation cannot finish (" + finishedAt + ") before it started ("
                    + report.startedAt() + ")");
        }
    }
}
