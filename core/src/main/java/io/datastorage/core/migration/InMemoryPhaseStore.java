package io.datastorage.core.migration;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The phase kept in this process, timed by the given clock: for a service that runs as one process
 * and for tests. Every operation holds this object's lock, which makes each change atomic and
 * serialises racing changes.
 */
public final class InMemoryPhaseStore implements PhaseStore {
    private final Clock clock;
    /** Oldest first: entry {@code i} made version {@code i + 1} current. */
    private final List<PhaseChange> history = new ArrayList<>();
    private PhaseState current;

    public InMemoryPhaseStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized Optional<PhaseState> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public synchronized PhaseState initialiseIfAbsent(MigrationPhase phase, String who, String reason) {
        PhaseStore.checkArguments(phase, who, reason);
        if (current == null) {
            current = new PhaseState(phase, 1, clock.instant());
            history.add(new PhaseChange(null, phase, 1, current.changedAt(), who, reason));
        }
        return current;
    }

    @Override
    public synchronized PhaseState change(long expectedVersion, MigrationPhase to, String who, String reason,
                                          boolean forced) {
        PhaseStore.checkArguments(to, who, reason, forced);
        if (current == null) {
            throw new IllegalStateException("no migration phase is stored yet: initialise it before changing it");
        }
        if (current.version() != expectedVersion) {
            throw new StalePhaseVersionException(expectedVersion, current);
        }
        PhaseTransition.between(current.phase(), to);
        PhaseState next = new PhaseState(to, current.version() + 1, clock.instant());
        history.add(new PhaseChange(current.phase(), to, next.version(), next.changedAt(), who, reason, forced));
        current = next;
        return next;
    }

    @Override
    public synchronized List<PhaseChange> history(long beforeVersion, int limit) {
        PhaseStore.checkLimit(limit);
        if (beforeVersion <= 1) {
            return List.of();
        }
        List<PhaseChange> page = new ArrayList<>(Math.min(limit, history.size()));
        for (int i = (int) Math.min(history.size(), beforeVersion - 1) - 1; i >= 0 && page.size() < limit; i--) {
            page.add(history.get(i));
        }
        return page;
    }
}
