package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditKind;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How long each kind of record is kept: a period per kind, none for a kind kept forever (the
 * default). Months are UTC months of {@code createdAt}, the partitions' months.
 *
 * <p>Rule: a (kind, month) is <em>expired</em> at {@code now} when the kind has a period and the
 * month's end (the first instant of the next month) is at or before {@code now − period}: every
 * record of the month is then older than the period, so the month is dropped whole.
 */
public final class RetentionPeriods {
    private final Map<AuditKind, Duration> periods;

    /** @param periods a period more than zero per kind that has one; kinds absent are kept forever */
    public RetentionPeriods(Map<AuditKind, Duration> periods) {
        EnumMap<AuditKind, Duration> copy = new EnumMap<>(AuditKind.class);
        periods.forEach((kind, period) -> {
            Objects.requireNonNull(kind, "kind");
            if (period == null || period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("the retention period of " + kind.pathName()
                        + " must be more than zero, was " + period);
            }
            copy.put(kind, period);
        });
        this.periods = Map.copyOf(copy);
    }

    /** Every kind kept forever. */
    public static RetentionPeriods keepForever() {
        return new RetentionPeriods(Map.of());
    }

    /** The period of {@code kind}; empty when it is kept forever. */
    public Optional<Duration> period(AuditKind kind) {
        return Optional.ofNullable(periods.get(kind));
    }

    /** Whether any kind has a period (otherwise retention has nothing to do). */
    public boolean any() {
        return !periods.isEmpty();
    }

    /** Whether {@code month} of {@code kind} is expired at {@code now} (see the class's rule). */
    public boolean expired(AuditKind kind, YearMonth month, Instant now) {
        Duration period = periods.get(kind);
        return period != null && !end(month).isAfter(now.minus(period));
    }

    /**
     * The first month of {@code kind} that is not expired at {@code now}: every earlier month is
     * expired. Empty when the kind is kept forever.
     */
    public Optional<YearMonth> firstKept(AuditKind kind, Instant now) {
        Duration period = periods.get(kind);
        if (period == null) {
            return Optional.empty();
        }
        // The month holding the cutoff instant ends after it, so it is kept; every earlier one ends
        // at or before it.
        return Optional.of(month(now.minus(period)));
    }

    /**
     * Whether {@code month} is expired for every kind that has a period (and one does): a partition
     * of such a month that holds no row is dropped whole.
     */
    public boolean expiredForEveryKind(YearMonth month, Instant now) {
        return any() && periods.keySet().stream().allMatch(kind -> expired(kind, month, now));
    }

    /** The UTC month of {@code instant}. */
    public static YearMonth month(Instant instant) {
        return YearMonth.from(instant.atOffset(ZoneOffset.UTC));
    }

    /** The first instant of {@code month} (UTC). */
    public static Instant start(YearMonth month) {
        return month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The first instant after {@code month} (UTC). */
    public static Instant end(YearMonth month) {
        return start(month.plusMonths(1));
    }

    @Override
    public String toString() {
        return "RetentionPeriods" + periods;
    }
}
