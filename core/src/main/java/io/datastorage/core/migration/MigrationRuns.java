package io.datastorage.core.migration;

import java.util.Optional;

/**
 * The last finished backfill of each direction and the last finished sync validation, kept where
 * every replica reads them, so that a phase change asked of any replica is gated on the same facts.
 * Each {@code …Finished} call replaces what was kept before (the newest run wins, whichever replica
 * ran it).
 *
 * <p>A failure to read or write is thrown as the store's
 * {@link io.datastorage.core.error.DatastorageException}.
 */
public interface MigrationRuns {

    /** Keeps {@code result} as the last backfill of its direction. */
    void backfillFinished(BackfillResult result);

    /** The last backfill of {@code direction} that finished (completely or not), if any. */
    Optional<BackfillResult> lastBackfill(BackfillDirection direction);

    /** Keeps {@code result} as the last validation. */
    void validationFinished(ValidationResult result);

    /** The last validation that finished, if any. */
    Optional<ValidationResult> lastValidation();
}
