package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;

import java.time.Duration;
import java.time.Instant;

class InMemorySecondaryWriteQueueTest extends SecondaryWriteQueueContract {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));

    @Override
    protected SecondaryWriteQueue queue() {
        return new InMemorySecondaryWriteQueue(clock);
    }

    @Override
    protected void elapse(Duration time) {
        clock.advance(time);
    }
}
