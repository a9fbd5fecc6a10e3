package io.datastorage.core.migration;

/**
 * A backfill of one direction was asked for while this replica runs one of the other direction:
 * one backfill runs at a time (one lease). Not a failure of any component: ask again when the run
 * under way has ended.
 */
public final class BackfillRunningException extends RuntimeException {
    private final BackfillDirection running;

    public BackfillRunningException(BackfillDirection running, BackfillDirection asked) {
        super("a " + running.value() + " backfill runs now; a " + asked.value() + " backfill can start when it has ended");
        this.running = running;
    }

    /** The direction of the run under way. */
    public BackfillDirection running() {
        return running;
    }
}
