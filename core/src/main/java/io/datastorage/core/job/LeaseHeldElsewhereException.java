package io.datastorage.core.job;

/**
 * A job was asked to run where it does not hold its lease: another replica runs it (or held it
 * last and its lease has not lapsed yet). Not a failure of any component, so outside the
 * transient/permanent model: the job ran elsewhere, or runs here once the lease is free.
 */
public final class LeaseHeldElsewhereException extends RuntimeException {
    private final String job;

    public LeaseHeldElsewhereException(String job) {
        super("job " + job + ": its lease is held by another replica");
        this.job = job;
    }

    /** The job's name. */
    public String job() {
        return job;
    }
}
