package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;

import java.time.Instant;

class InMemoryPhaseStoreTest extends PhaseStoreContract {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));

    @Override
    protected PhaseStore store() {
        return new InMemoryPhaseStore(clock);
    }
}
