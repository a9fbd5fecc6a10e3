package io.datastorage.core.dualwrite;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When a request stops being worth finishing: its deadline passed, or it was cancelled (the
 * client went away). The coordinator checks it before it writes and before it commits, so an
 * expired or cancelled request persists nothing.
 */
public final class Deadline {
    private final Instant at;
    private final Clock clock;
    private final AtomicBoolean cancelled = new AtomicBoolean();

    private Deadline(Instant at, Clock clock) {
        this.at = at;
        this.clock = clock;
    }

    /** No time limit; only {@link #cancel()} ends it. */
    public static Deadline none() {
        return new Deadline(Instant.MAX, Clock.systemUTC());
    }

    public static Deadline at(Instant at, Clock clock) {
        return new Deadline(at, clock);
    }

    public void cancel() {
        cancelled.set(true);
    }

    /**
     * Time left until the deadline: zero when it passed or the request was cancelled, and about
     * 10^9 years for {@link #none()}.
     */
    public Duration remaining() {
        if (cancelled.get()) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), at);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean expired() {
        return cancelled.get() || !clock.instant().isBefore(at);
    }

    /** @throws DeadlineExceededException when expired, naming the stage */
    public void check(String stage) {
        if (expired()) {
            throw new DeadlineExceededException((cancelled.get() ? "request cancelled" : "request deadline passed")
                    + " before " + stage + "; nothing was stored");
        }
    }
}
