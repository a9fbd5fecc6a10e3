package io.datastorage.core.repair;

import io.datastorage.core.index.CrashRecovery;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.job.BatchedJob;
import io.datastorage.core.job.JobContext;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.VectorLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * After a restart, puts back into the index what it may have lost in a crash: the records marked
 * indexed that arrived since the index's last durable commit before the restart
 * ({@link CrashRecovery#recoveredAsOf()}), less a margin for writes that were in flight. Upserts
 * are idempotent, so replaying a few too many costs nothing. An index that was never committed, or
 * that does not offer {@link VectorIndex#crashRecovery()}, gets every indexed record. What no
 * replay window covers (a crash during an earlier catch-up, an index restored from an older copy)
 * is the reconciliation's; the caller runs one after this.
 *
 * <p>Each {@link #runOnce()} replays once, page by page, straight into the index (no breaker: it
 * runs once at start-up, before the index has had a chance to fail).
 */
public final class IndexCatchUpJob implements BatchedJob {
    private static final Logger log = LoggerFactory.getLogger(IndexCatchUpJob.class);
    static final int PAGE = 500;

    private final VectorLedger store;
    private final VectorIndex index;
    private final Duration margin;

    /** @param margin how far before the index's last commit the replay starts */
    public IndexCatchUpJob(VectorLedger store, VectorIndex index, Duration margin) {
        this.store = Objects.requireNonNull(store, "store");
        this.index = Objects.requireNonNull(index, "index");
        this.margin = Objects.requireNonNull(margin, "margin");
        if (margin.isNegative()) {
            throw new IllegalArgumentException("margin must not be negative, was " + margin);
        }
    }

    @Override
    public String name() {
        return "index-catch-up";
    }

    /**
     * Replays once, asking {@code context} before every page but the first (and stopping when it
     * says no: the replica that took the lease replays instead).
     *
     * @return how many records were written into the index
     * @throws RuntimeException the store or the index failed (logged with how far it got); what
     *                          was replayed stays, and the repair and reconcile paths cover the rest
     */
    @Override
    public long runOnce(JobContext context) {
        Instant since = index.crashRecovery().flatMap(CrashRecovery::recoveredAsOf).map(t -> t.minus(margin))
                .orElse(Instant.EPOCH);
        long started = System.nanoTime();
        long count = 0;
        try {
            IndexableRecord after = null;
            for (List<IndexableRecord> page = store.indexedSince(since, null, PAGE); !page.isEmpty();
                 page = store.indexedSince(since, after, PAGE)) {
                index.upsert(page.stream().map(IndexableRecord::toEntry).toList());
                count += page.size();
                after = page.getLast();
                if (!context.mayContinue()) {
                    log.info("Index catch-up stopped after {} record(s): another replica took its lease", count);
                    return count;
                }
            }
        } catch (RuntimeException e) {
            log.warn("Index catch-up stopped after {} record(s); the repair and reconcile paths cover the rest", count, e);
            throw e;
        }
        log.info("Index catch-up replayed {} record(s) received since {} in {} ms", count, since,
                (System.nanoTime() - started) / 1_000_000);
        return count;
    }
}
