package io.datastorage.core.job;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * A {@link BackgroundJob} whose run is a series of batches, which asks its {@link JobContext}
 * before each batch after the first whether it may go on. Under a {@link LeasedJob} that is where
 * the lease is renewed, so a run may last longer than the lease as long as each batch does not.
 */
public interface BatchedJob extends BackgroundJob {

    /**
     * Does one bounded run, asking {@code context} before every batch but the first and stopping
     * when it says no.
     *
     * @return how many items the run handled
     */
    long runOnce(JobContext context);

    /** A run that nothing else can run at the same time. */
    @Override
    default long runOnce() {
        return runOnce(JobContext.ALONE);
    }

    /**
     * The loop of a job that drains a backlog: runs {@code batch} up to {@code maxBatches} times,
     * asking {@code context} before every batch but the first, and stops after a batch that
     * handled fewer than {@code batchSize} items (the backlog is empty, for now) or when
     * {@code context} says no (the lease went to another replica, which goes on from what is
     * stored).
     *
     * @param batch   does one batch, returning how many items it handled
     * @param handled counts the items as batches finish, so that a caller whose batch threw still
     *                knows what the batches before it did
     * @return how many items the run handled
     */
    static long drain(JobContext context, int maxBatches, int batchSize, IntSupplier batch, AtomicLong handled) {
        for (int i = 0; i < maxBatches; i++) {
            if (i > 0 && !context.mayContinue()) {
                break;
            }
            int done = batch.getAsInt();
            handled.addAndGet(done);
            if (done < batchSize) {
                break;
            }
        }
        return handled.get();
    }
}
