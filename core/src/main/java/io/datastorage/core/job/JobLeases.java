package io.datastorage.core.job;

import java.time.Duration;

/**
 * Leases on background jobs, so that of several replicas only one runs a job at a time.
 *
 * <p>A lease names a job ({@link BackgroundJob#name()}), its holder and when it ends. Contract
 * (checked for every implementation by the shared contract suite):
 * <ul>
 *   <li>at any instant at most one holder has the lease on a job;</li>
 *   <li>{@link #acquire} by the holder renews the lease: it then ends {@code duration} after the
 *       call, whatever was left of it;</li>
 *   <li>{@link #acquire} by another holder succeeds only once the lease has ended (expired or
 *       {@linkplain #release released}); of callers racing for a free lease exactly one gets it;</li>
 *   <li>expiry is judged by one clock for every holder: the database's in the PostgreSQL
 *       implementation, so the replicas' own clocks do not matter;</li>
 *   <li>a call that cannot reach the lease store throws (e.g.
 *       {@link io.datastorage.core.store.StoreUnavailableException}); it never answers {@code true}
 *       without the lease being held.</li>
 * </ul>
 *
 * <p>A lease is a promise about time, not a lock: a holder that goes on working after its lease
 * ended (a pause longer than the lease) is no longer excluded. {@link LeasedJob} states the rule
 * that keeps runs from overlapping.
 */
public interface JobLeases {

    /** The longest lease: a job that cannot renew within a day has a bug, not a long batch. */
    Duration MAX_DURATION = Duration.ofDays(1);

    /**
     * Takes the lease on {@code job} for {@code holder}, or renews it when {@code holder} has it.
     *
     * @param job      a job name, {@code [a-z-]+}
     * @param holder   who asks, unique per process ({@link LeaseHolder#thisProcess()})
     * @param duration how long the lease lasts from this call unless renewed: more than zero, at
     *                 most {@link #MAX_DURATION}
     * @return whether {@code holder} now has the lease
     */
    boolean acquire(String job, String holder, Duration duration);

    /** Ends the lease on {@code job} if {@code holder} has it, so another holder may take it at once. */
    void release(String job, String holder);

    /** Checks the arguments every implementation takes. */
    static void checkArguments(String job, String holder, Duration duration) {
        checkJob(job);
        checkHolder(holder);
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("a lease duration must be more than zero and at most a day, was "
                    + duration);
        }
    }

    /** Checks a job name and a holder. */
    static void checkArguments(String job, String holder) {
        checkJob(job);
        checkHolder(holder);
    }

    private static void checkJob(String job) {
        if (job == null || !job.matches("[a-z-]+")) {
            throw new IllegalArgumentException("a job name must match [a-z-]+, was " + job);
        }
    }

    private static void checkHolder(String holder) {
        if (holder == null || holder.isBlank() || holder.length() > 255) {
            throw new IllegalArgumentException("a lease holder must be 1..255 characters, was " + holder);
        }
    }
}
