package io.datastorage.core.embedding;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Arithmetic of the time limits of {@link Embedder#embed(java.util.List, Duration)} on the
 * {@link System#nanoTime()} scale. Limits are capped at {@link #LONGEST} so that no sum or
 * difference of them overflows; {@link Embedder#NO_TIME_LIMIT} becomes that cap.
 */
public final class TimeLimit {
    /** Longer limits are taken as this one (about 73 years: never, in practice). */
    static final long LONGEST = Long.MAX_VALUE / 4;

    private TimeLimit() {
    }

    /** The limit in nanoseconds, capped at {@link #LONGEST}; zero or negative when none is left. */
    public static long nanos(Duration limit) {
        if (limit.compareTo(Duration.ofNanos(LONGEST)) >= 0) {
            return LONGEST;
        }
        if (limit.compareTo(Duration.ofNanos(-LONGEST)) <= 0) {
            return -LONGEST;
        }
        return limit.toNanos();
    }

    /** The {@link System#nanoTime()} at which a limit starting now ends. */
    public static long endOf(Duration limit) {
        return System.nanoTime() + nanos(limit);
    }

    /** Time left until {@code endNanos} (a {@link #endOf} value); zero or negative when it passed. */
    public static Duration leftUntil(long endNanos) {
        return Duration.ofNanos(endNanos - System.nanoTime());
    }

    /** Whether {@code endNanos} (a {@link #endOf} value) is no more than {@code nanos} away. */
    public static boolean endsWithin(long endNanos, long nanos) {
        return endNanos - System.nanoTime() <= nanos;
    }

    /** @throws EmbedderUnavailableException when the limit is zero or negative */
    public static void requireTimeLeft(Duration limit, String what) {
        if (!limit.isPositive()) {
            throw exceeded(limit, what);
        }
    }

    /** The transient failure of a call whose time limit ended before its answer. */
    public static EmbedderUnavailableException exceeded(Duration limit, String what) {
        return new EmbedderUnavailableException("no embedding from " + what + " within the time limit"
                + (limit.isPositive() ? " of " + TimeUnit.NANOSECONDS.toMillis(nanos(limit)) + " ms" : "; none was left"),
                null);
    }
}
