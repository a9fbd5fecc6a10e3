package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.job.BatchedJob;
import io.datastorage.core.job.JobContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Drops expired months ({@link RetentionPeriods}) that no active legal hold keeps; runs on one
 * replica at a time under the lease {@code retention}.
 *
 * <p>A legal hold blocks a month for every kind: the months in which it covers a record, of any
 * kind, are kept whole (so a hold crossing a month boundary keeps both months, and what happened
 * around the held records in those months stays too) until it is released or expires.
 *
 * <p>A run: {@linkplain #plan() plans}, then drops each planned (kind, month) in a transaction of
 * its own ({@link RetentionStore#drop}, which checks the holds again inside it), asking its
 * {@link JobContext} before each one after the first; then deletes the dropped ids from the vector
 * index, forgetting them once the index has; then drops the partitions left empty that are expired
 * for every kind with a period. Every step goes on from what is stored, so a run that stops anywhere
 * (a crash, a lost lease, an index that is down) is finished by the next one: months already
 * dropped hold nothing more, pending index deletes stay pending until the index takes them.
 */
public final class RetentionJob implements BatchedJob {
    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
    /** Index deletes per call to the index. */
    static final int INDEX_BATCH = 500;

    private final RetentionStore store;
    private final VectorIndex index;
    private final RetentionPeriods periods;
    private final Clock clock;
    private final RetentionListener listener;

    /** @param index {@code null} without a vector index (nothing to delete there) */
    public RetentionJob(RetentionStore store, VectorIndex index, RetentionPeriods periods, Clock clock,
                        RetentionListener listener) {
        this.store = Objects.requireNonNull(store, "store");
        this.index = index;
        this.periods = Objects.requireNonNull(periods, "periods");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public String name() {
        return "retention";
    }

    /** What a run would do now: the dry run. Changes nothing. */
    public RetentionPlan plan() {
        Instant now = clock.instant();
        Map<AuditKind, Map<YearMonth, Long>> expired = new LinkedHashMap<>();
        YearMonth latest = null;
        for (AuditKind kind : AuditKind.values()) {
            YearMonth kept = periods.firstKept(kind, now).orElse(null);
            if (kept != null && (latest == null || kept.isAfter(latest))) {
                latest = kept;
            }
            periods.firstKept(kind, now).ifPresent(before -> {
                Map<YearMonth, Long> months = new LinkedHashMap<>();
                for (RetentionStore.MonthRecords m : store.monthsBefore(kind, before)) {
                    months.put(m.month(), m.records());
                }
                expired.put(kind, months);
            });
        }
        Map<YearMonth, Set<UUID>> holds = new LinkedHashMap<>();
        if (!expired.isEmpty()) {
            for (RetentionStore.Coverage c : store.coverage(now, latest)) {
                holds.computeIfAbsent(c.month(), m -> new LinkedHashSet<>()).add(c.hold());
            }
        }
        List<RetentionPlan.Drop> drops = new ArrayList<>();
        List<RetentionPlan.Blocked> blocked = new ArrayList<>();
        expired.forEach((kind, months) -> months.forEach((month, records) -> {
            Set<UUID> by = holds.get(month);
            if (by == null) {
                drops.add(new RetentionPlan.Drop(kind, month, records));
            } else {
                blocked.add(new RetentionPlan.Blocked(kind, month, records, List.copyOf(by)));
            }
        }));
        return new RetentionPlan(now, drops, blocked);
    }

    /**
     * One run; see the class. An index that is down leaves its deletes pending (logged) and the run
     * goes on to the partitions.
     *
     * @return how many records the run dropped
     */
    @Override
    public long runOnce(JobContext context) {
        RetentionPlan plan = plan();
        listener.planned(plan);
        String run = UUID.randomUUID().toString();
        long dropped = 0;
        boolean first = true;
        for (RetentionPlan.Drop drop : plan.drops()) {
            if (!first && !context.mayContinue()) {
                log.info("Retention run {} stopped after {} record(s): its lease went elsewhere", run, dropped);
                return dropped;
            }
            first = false;
            RetentionStore.Dropped result = store.drop(drop.kind(), drop.month(), run, plan.at());
            if (result.blocked()) {
                log.info("Retention kept {} {}: a legal hold made since the plan covers it", drop.kind().pathName(),
                        drop.month());
                continue;
            }
            dropped += result.records();
            listener.dropped(drop.kind(), drop.month(), result.records());
            log.info("Retention dropped {} record(s) of {} in {} (run {})", result.records(), drop.kind().pathName(),
                    drop.month(), run);
        }
        drainIndexDeletes(context);
        List<YearMonth> partitions = store.dropEmptyPartitions(month -> periods.expiredForEveryKind(month, plan.at()));
        if (!partitions.isEmpty()) {
            log.info("Retention dropped the empty partitions of {}", partitions);
        }
        return dropped;
    }

    /**
     * Deletes the pending ids from the vector index, batch by batch.
     *
     * @return how many the index deleted
     */
    public long drainIndexDeletes(JobContext context) {
        if (index == null) {
            return drainWithoutIndex();
        }
        long done = 0;
        for (List<UUID> ids = store.pendingIndexDeletes(INDEX_BATCH); !ids.isEmpty();
             ids = store.pendingIndexDeletes(INDEX_BATCH)) {
            try {
                index.delete(ids);
            } catch (IndexUnavailableException e) {
                log.warn("The vector index could not delete {} dropped record(s); they stay pending for the next run: {}",
                        ids.size(), e.getMessage());
                return done;
            }
            store.indexDeletesDone(ids);
            done += ids.size();
            if (ids.size() < INDEX_BATCH || !context.mayContinue()) {
                break;
            }
        }
        return done;
    }

    private long drainWithoutIndex() {
        long done = 0;
        for (List<UUID> ids = store.pendingIndexDeletes(INDEX_BATCH); !ids.isEmpty();
             ids = store.pendingIndexDeletes(INDEX_BATCH)) {
            store.indexDeletesDone(ids);
            done += ids.size();
        }
        return done;
    }
}
