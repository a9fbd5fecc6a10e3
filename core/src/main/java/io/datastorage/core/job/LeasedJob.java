package io.datastorage.core.job;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A {@link BackgroundJob} that runs only while this holder has its lease, so that of several
 * replicas scheduling the same job only one runs it at a time.
 *
 * <p>{@link #runOnce()} takes the lease, or renews it when this holder has it already, and runs
 * the job; when another holder has it, it returns 0 without running. The lease is kept after the
 * run (the same replica goes on running the job; the others stay idle) and lapses
 * {@code duration} after the last renewal when this replica stops scheduling it;
 * {@link #release()} hands it over at once, e.g. at shutdown. A {@link BatchedJob} renews the
 * lease before each batch through its {@link JobContext} and stops when it was lost.
 *
 * <p><b>The rule that keeps runs from overlapping:</b> the lease duration must exceed the longest
 * a job can take between two renewals: one batch of a {@link BatchedJob}, the whole run of any
 * other job, each bounded by the timeouts of the calls it makes. Within that bound a second holder
 * can take the lease only after the first has stopped or asked again (and been told no). Past it
 * (a pause of the JVM longer than the lease) two runs may overlap for the rest of one batch; the
 * jobs keep that harmless, as they must anyway after a crash: a batch is idempotent (an upsert
 * writes an entry again, a mark is cleared again) and the reconciler never deletes what a write
 * may still be committing. Expiry is judged by the lease store's clock, so replicas' clocks do not
 * matter; a renewal costs one statement per batch.
 */
public final class LeasedJob implements BackgroundJob {
    private final BackgroundJob job;
    private final JobLease lease;

    /**
     * @param holder   this process's holder id ({@link LeaseHolder#thisProcess()}); tests pass
     *                 their own to play several replicas
     * @param duration how long the lease lasts after each renewal; see the rule above
     */
    public LeasedJob(BackgroundJob job, JobLeases leases, String holder, Duration duration) {
        this.job = Objects.requireNonNull(job, "job");
        this.lease = new JobLease(leases, job.name(), holder, duration);
    }


    @Override
    public String name() {
        return job.name();
    }

    /**
     * Runs the job if this holder has or can take its lease.
     *
     * @return what the job handled; 0 without running it when another holder has the lease
     * @throws RuntimeException what the job or the lease store threw; the lease is kept and
     *                          lapses unless the next run renews it
     */
    @Override
    public long runOnce() {
        return runIfLeased().orElse(0);
    }

    /**
     * Runs the job if this holder has or can take its lease, telling a run from a skip (for a
     * scheduler that counts both).
     *
     * @return what the job handled; empty without running it when another holder has the lease
     * @throws RuntimeException what the job or the lease store threw
     */
    public OptionalLong runIfLeased() {
        if (!lease.take()) {
            return OptionalLong.empty();
        }
        if (job instanceof BatchedJob batched) {
            return OptionalLong.of(batched.runOnce(lease));
        }
        return OptionalLong.of(job.runOnce());
    }

    /** Ends this holder's lease so another replica may take the job over at once. */
    public void release() {
        lease.release();
    }

    @Override
    public String toString() {
        return "LeasedJob[" + job.name() + " by " + lease.holder() + " for " + lease.duration() + "]";
    }
}
