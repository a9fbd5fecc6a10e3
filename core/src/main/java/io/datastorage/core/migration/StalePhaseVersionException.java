package io.datastorage.core.migration;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

import java.util.Objects;

/**
 * A phase change named a version that is no longer the current one: someone else changed the phase
 * since the caller read it (or the caller never read it). Permanent for the request
 * ({@link Component#REQUEST}): retrying with the same expected version fails again; the caller must
 * read {@link #current()} and decide anew whether its move still makes sense. Nothing was changed.
 * The HTTP edge will answer it with 409, like an illegal move.
 */
public final class StalePhaseVersionException extends PermanentException {
    private final long expectedVersion;
    private final PhaseState current;

    public StalePhaseVersionException(long expectedVersion, PhaseState current) {
        super(Component.REQUEST, "the migration phase is at version " + Objects.requireNonNull(current, "current").version()
                + " (" + current.phase() + "), not at the expected version " + expectedVersion
                + ": it changed since it was read; read it again and decide anew", null);
        this.expectedVersion = expectedVersion;
        this.current = current;
    }

    /** The version the caller expected. */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** What was current when the change was refused. */
    public PhaseState current() {
        return current;
    }
}
