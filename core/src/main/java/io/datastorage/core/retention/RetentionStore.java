package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What retention reads from and does to the store. Every method is safe to repeat: a month
 * dropped twice drops nothing the second time, an id deleted from the pending list twice is gone.
 */
public interface RetentionStore {

    /** How many records of one kind one month holds. */
    record MonthRecords(AuditKind kind, YearMonth month, long records) {
    }

    /** One active legal hold that covers a record (of any kind) in {@code month}. */
    record Coverage(YearMonth month, UUID hold) {
    }

    /** What dropping a month did: {@code blocked} when a hold covering it was found in its transaction. */
    record Dropped(long records, boolean blocked) {
    }

    /** The months of {@code kind} before {@code before} that hold records, with their counts. */
    List<MonthRecords> monthsBefore(AuditKind kind, YearMonth before);

    /**
     * Which months before {@code before} each hold active at {@code now} covers a record (of any
     * kind) in (only months that may be expired matter).
     */
    List<Coverage> coverage(Instant now, YearMonth before);

    /**
     * Drops every record of {@code kind} in {@code month}, in one transaction: the records (as
     * retention, the one reason the records' immutability lets through), the month's chain head and
     * checkpoint, the idempotency keys whose receipts name a dropped record, the dropped ids into
     * the pending index deletes, and a row saying that {@code run} dropped them. Unless an active
     * hold (at {@code now}) covers a record of any kind in the month, checked in the same transaction
     * while new holds wait: then nothing is dropped.
     */
    Dropped drop(AuditKind kind, YearMonth month, String run, Instant now);

    /** Up to {@code limit} ids of dropped records still to be deleted from the vector index. */
    List<UUID> pendingIndexDeletes(int limit);

    /** Forgets pending index deletes that the index has done. */
    void indexDeletesDone(Collection<UUID> ids);

    /**
     * Drops the partition of each month that {@code droppable} accepts and that holds no row.
     *
     * @return the months whose partition was dropped
     */
    List<YearMonth> dropEmptyPartitions(Predicate<YearMonth> droppable);
}
