package io.datastorage.core.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The checks modules' config records run in their compact constructors. Each failure is an
 * {@link InvalidConfigException} naming the setting, what is allowed and the value, with
 * durations written the way an operator writes them ({@code 250ms}, {@code 5m}, {@code 7d}).
 */
public final class ConfigChecks {
    private static final List<ChronoUnit> UNITS =
            List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS, ChronoUnit.MILLIS);

    private ConfigChecks() {
    }

    /** @return {@code value} when it lies in {@code min..max} */
    public static int range(String setting, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidConfigException(setting, "must be " + min + ".." + max, String.valueOf(value));
        }
        return value;
    }

    /** @return {@code value} when it is given and lies in {@code min..max} */
    public static Duration range(String setting, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidConfigException(setting, "must be " + print(min) + ".." + print(max),
                    value == null ? "empty" : print(value));
        }
        return value;
    }

    /** @return {@code value} when it is given and not blank */
    public static String required(String setting, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(setting, "must be set", "empty");
        }
        return value;
    }

    /**
     * In the largest unit that shows the value exactly: {@code 5m}, {@code 2h}, {@code 250ms}.
     * (Hand-written: the modules have no Spring, whose {@code DurationStyle} prints the same.)
     */
    public static String print(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        for (ChronoUnit unit : UNITS) {
            long nanos = unit.getDuration().toNanos();
            if (duration.toNanos() % nanos == 0) {
                return duration.toNanos() / nanos + suffix(unit);
            }
        }
        return duration.toMillis() + "ms";
    }

    private static String suffix(ChronoUnit unit) {
        return switch (unit) {
            case DAYS -> "d";
            case HOURS -> "h";
            case MINUTES -> "m";
            case SECONDS -> "s";
            default -> "ms";
        };
    }
}
