package io.datastorage.core.job;

/**
 * What a {@link BatchedJob} asks between its batches: whether it may go on.
 */
@FunctionalInterface
public interface JobContext {

    /** A run that nothing else can run at the same time (one process, a test): always goes on. */
    JobContext ALONE = () -> true;

    /**
     * Whether the job may start its next batch. Under a lease this renews the lease (one call to
     * the lease store) and answers {@code false} when it was lost; the job then stops, leaving the
     * rest for the next run of whoever holds the lease. A failure of the lease store is thrown.
     */
    boolean mayContinue();
}
