package io.datastorage.core.repair;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.job.BatchedJob;
import io.datastorage.core.job.JobContext;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.IndexableRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Indexes records stored with their indexing pending (the index failed, or their embedding came
 * later), oldest first, at most {@link #MAX_BATCHES_PER_RUN} batches per run so live writes keep
 * the index. Its calls go through the same {@link GuardedIndex} as the write path: while the
 * circuit breaker is open they are refused at once, and its first batch after the breaker's wait
 * is the half-open probe.
 *
 * <p>A batch is marked indexed only after the index took it, so a failure loses nothing: the
 * records stay pending and the next run takes them again (upserts are idempotent).
 */
public final class IndexRepairJob implements BatchedJob {
    private static final Logger log = LoggerFactory.getLogger(IndexRepairJob.class);
    /** Batches per run: a backlog drains steadily without taking the index from live writes. */
    public static final int MAX_BATCHES_PER_RUN = 10;

    private final IndexBacklog store;
    private final GuardedIndex index;
    private final int batchSize;

    public IndexRepairJob(IndexBacklog store, GuardedIndex index, int batchSize) {
        this.store = Objects.requireNonNull(store, "store");
        this.index = Objects.requireNonNull(index, "index");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return "index-repair";
    }

    /**
     * Indexes up to {@link #MAX_BATCHES_PER_RUN} batches, stopping after the first short one or when {@code context} says so.
     *
     * @return how many records were indexed
     * @throws TransientException the index failed or its breaker is open (logged at debug: the
     *                            write path already says the index is down), or the store is
     *                            unavailable (logged); the records indexed before stay indexed
     * @throws RuntimeException   another failure (logged with its stack trace)
     */
    @Override
    public long runOnce(JobContext context) {
        AtomicLong repaired = new AtomicLong();
        try {
            return BatchedJob.drain(context, MAX_BATCHES_PER_RUN, batchSize, this::repairOneBatch, repaired);
        } catch (TransientException e) {
            if (e.component() == Component.VECTOR_INDEX) {
                log.debug("Index repair waits: {}", e.getMessage());
            } else {
                log.warn("Index repair waits: {}", e.getMessage());
            }
            throw e;
        } catch (RuntimeException e) {
            log.warn("Index repair failed; it runs again later", e);
            throw e;
        } finally {
            if (repaired.get() > 0) {
                log.info("Indexed {} record(s) whose indexing was pending", repaired.get());
            }
        }
    }

    /** @return how many records were indexed; fewer than a batch means the backlog is (for now) empty */
    private int repairOneBatch() {
        List<IndexableRecord> pending = store.pendingIndex(batchSize);
        if (pending.isEmpty()) {
            return 0;
        }
        index.upsert(pending.stream().map(IndexableRecord::toEntry).toList());
        store.completeIndex(pending);
        return pending.size();
    }
}
