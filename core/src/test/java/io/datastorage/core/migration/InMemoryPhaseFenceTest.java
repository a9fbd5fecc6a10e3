package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;

import java.time.Instant;

/** The phase-fence contract on the in-memory double, so the router's tests rely on what PostgreSQL does. */
class InMemoryPhaseFenceTest extends PhaseFenceContract {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));
    private PhaseStore phases;
    private SecondaryWriteQueue queue;

    @Override
    protected PhaseFence fence() {
        phases = new InMemoryPhaseStore(clock);
        queue = new InMemorySecondaryWriteQueue(clock);
        return new InMemoryPhaseFence(phases, queue);
    }

    @Override
    protected PhaseStore phases() {
        return phases;
    }

    @Override
    protected SecondaryWriteQueue queue() {
        return queue;
    }
}
