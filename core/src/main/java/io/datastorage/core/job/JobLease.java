package io.datastorage.core.job;

import java.time.Duration;
import java.util.Objects;

/**
 * One job's lease as one holder sees it: take or renew it, hand it back. {@link LeasedJob} keeps
 * one around the job it wraps; a job that runs in its own way (the reconciliation joins runs and
 * runs them on its own thread) asks one itself, at the start of a run and between its steps.
 */
public final class JobLease implements JobContext {
    private final JobLeases leases;
    private final String job;
    private final String holder;
    private final Duration duration;

    /**
     * @param job      the job's name ({@link BackgroundJob#name()})
     * @param holder   this process's holder id ({@link LeaseHolder#thisProcess()})
     * @param duration how long the lease lasts after each renewal; see {@link LeasedJob} for the
     *                 rule it must follow
     */
    public JobLease(JobLeases leases, String job, String holder, Duration duration) {
        this.leases = Objects.requireNonNull(leases, "leases");
        JobLeases.checkArguments(job, holder, duration);
        this.job = job;
        this.holder = holder;
        this.duration = duration;
    }

    /**
     * Takes the lease, or renews it when this holder has it.
     *
     * @return whether this holder now has it
     * @throws RuntimeException the lease store failed; act as if the lease was not taken
     */
    public boolean take() {
        return leases.acquire(job, holder, duration);
    }

    /** Renews the lease between two batches: {@link #take()}. */
    @Override
    public boolean mayContinue() {
        return take();
    }

    /** Ends this holder's lease, if it has it, so another holder may take the job at once. */
    public void release() {
        leases.release(job, holder);
    }

    public String job() {
        return job;
    }

    public String holder() {
        return holder;
    }

    public Duration duration() {
        return duration;
    }

    @Override
    public String toString() {
        return "lease on " + job + " by " + holder + " for " + duration;
    }
}
