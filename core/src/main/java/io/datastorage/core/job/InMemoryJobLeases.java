package io.datastorage.core.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Leases kept in this process, judged by the given clock: for a service that runs as one process
 * (an embedded index has one writer anyway) and for tests, which pass a clock they move.
 */
public final class InMemoryJobLeases implements JobLeases {
    private record Lease(String holder, Instant expiresAt) {
    }

    private final Clock clock;
    private final Map<String, Lease> leases = new HashMap<>();

    public InMemoryJobLeases(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized boolean acquire(String job, String holder, Duration duration) {
        JobLeases.checkArguments(job, holder, duration);
        Instant now = clock.instant();
        Lease current = leases.get(job);
        if (current != null && !current.holder().equals(holder) && current.expiresAt().isAfter(now)) {
            return false;
        }
        leases.put(job, new Lease(holder, now.plus(duration)));
        return true;
    }

    @Override
    public synchronized void release(String job, String holder) {
        JobLeases.checkArguments(job, holder);
        leases.computeIfPresent(job, (name, lease) -> lease.holder().equals(holder) ? null : lease);
    }
}
