package io.datastorage.core.job;

/**
 * A unit of background work that a scheduler runs again and again: index repair, embedding repair,
 * index catch-up, reconciliation, store maintenance. The job holds the logic; the scheduler (the
 * server's {@code @Scheduled} methods, a CLI command, a test) only decides when to call
 * {@link #runOnce()}.
 *
 * <p>Contract: {@link #runOnce()} does a bounded amount of work and returns; it may be called again
 * at once. A failure of a part it depends on is thrown, and the next call starts over from what is
 * stored: a job keeps no state between runs that a crash could lose.
 */
public interface BackgroundJob {

    /**
     * The job's stable name, {@code [a-z-]+}: used as its lease name and as a metric label, so the
     * set of names is closed (one per job class).
     */
    String name();

    /**
     * Does one bounded run.
     *
     * @return how many items (records, index entries, partitions, keys) the run handled; 0 when
     *         there was nothing to do
     */
    long runOnce();
}
