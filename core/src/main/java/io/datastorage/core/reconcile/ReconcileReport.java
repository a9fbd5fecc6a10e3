package io.datastorage.core.reconcile;

import java.time.Duration;
import java.time.Instant;

/**
 * What one reconciliation found and did.
 *
 * @param checked         records with an embedding in PostgreSQL, all compared slice by slice
 * @param indexEntries    entries in the index when the run began
 * @param slices          slices of the id space compared by digest
 * @param slicesDiffering slices whose digests differed and were compared entry by entry
 * @param missing         records whose vector was not in the index (put in)
 * @param changed         entries that no longer matched their record (rewritten)
 * @param orphans         entries without a record behind them (deleted)
 * @param inFlight        entries without a committed record yet because their write was in progress in this process
 *                        (left alone)
 * @param tooYoung        entries without a committed record written less than the grace period ago, perhaps by a
 *                        write of another process not committed yet (left alone until they are older)
 * @param repaired        entries written or deleted to make the index match
 */
public record ReconcileReport(Instant startedAt, Duration duration, long checked, long indexEntries, int slices,
                              int slicesDiffering, long missing, long changed, long orphans, long inFlight,
                              long tooYoung, long repaired) {

    /**
     * Whether PostgreSQL and the index held the same thing (before this run repaired anything);
     * entries spared as in flight or too young do not count against it.
     */
    public boolean consistent() {
        return missing == 0 && changed == 0 && orphans == 0;
    }
}
