package io.datastorage.core.job;

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
}
