package io.datastorage.core.migration;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * A write fenced to a phase version found another version stored when it came to commit: the
 * phase changed while the write ran. Nothing of the write was committed. Transient: the router
 * refreshes its view of the phase and runs the write again under the new phase, once.
 */
public final class PhaseChangedException extends TransientException {
    private final long expectedVersion;
    private final long storedVersion;

    public PhaseChangedException(long expectedVersion, long storedVersion) {
        super(Component.POSTGRESQL, named(Component.POSTGRESQL, "the migration phase moved to version " + storedVersion
                + " while a write under version " + expectedVersion + " ran; nothing of it was stored"), null);
        this.expectedVersion = expectedVersion;
        this.storedVersion = storedVersion;
    }

    /** The version the write ran under. */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** The version stored when it came to commit. */
    public long storedVersion() {
        return storedVersion;
    }
}
