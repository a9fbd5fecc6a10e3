package io.datastorage.core.job;

import io.datastorage.core.ManualClock;

import java.time.Duration;
import java.time.Instant;

class InMemoryJobLeasesTest extends JobLeasesContract {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));

    @Override
    protected JobLeases leases() {
        return new InMemoryJobLeases(clock);
    }

    @Override
    protected void elapse(Duration time) {
        clock.advance(time);
    }
}
