package io.datastorage.core.migration;

import java.util.Optional;

/**
 * The checkpoints of unfinished backfills, one per direction, kept where every replica reads them:
 * a run saves one after each page and clears it when it ends (complete or failed); one that stopped
 * without ending (a crash, a lost lease, a shutdown) leaves it, and the next run of that direction,
 * on whichever replica, resumes from it.
 *
 * <p>A failure to read or write is thrown as the store's
 * {@link io.datastorage.core.error.DatastorageException}.
 */
public interface BackfillCheckpoints {

    /** Keeps {@code checkpoint} as its direction's, replacing the one before. */
    void save(BackfillCheckpoint checkpoint);

    /** The checkpoint of the unfinished run of {@code direction}, if there is one. */
    Optional<BackfillCheckpoint> find(BackfillDirection direction);

    /** Forgets the checkpoint of {@code direction} (the run ended); nothing when there is none. */
    void clear(BackfillDirection direction);
}
