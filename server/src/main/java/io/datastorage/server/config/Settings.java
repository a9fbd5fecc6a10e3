package io.datastorage.server.config;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Range checks for settings, run in the compact constructors of {@link DatastorageProperties}.
 * Each failure message names the property as it is written in configuration, the value, and what
 * is allowed; Spring Boot's start-up failure report prints it as is. (Bean Validation would report
 * the Java field name and the converted value instead, which is not what an operator typed.)
 */
final class Settings {
    private Settings() {
    }

    static int range(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + " must be " + min + ".." + max + ", was " + value);
        }
        return value;
    }

    static Duration range(String property, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(property + " must be " + print(min) + ".." + print(max) + ", was "
                    + (value == null ? "empty" : print(value)));
        }
        return value;
    }

    static DataSize range(String property, DataSize value, DataSize min, DataSize max) {
        if (value == null || value.toBytes() < min.toBytes() || value.toBytes() > max.toBytes()) {
            throw new IllegalArgumentException(property + " must be " + min.toKilobytes() + "KB.." + max.toMegabytes()
                    + "MB, was " + (value == null ? "empty" : value.toBytes() + "B"));
        }
        return value;
    }

    /** In the largest unit that shows the value exactly: 5m, 2h, 250ms. */
    private static String print(Duration duration) {
        for (ChronoUnit unit : List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS)) {
            if (!duration.isZero() && duration.toNanos() % unit.getDuration().toNanos() == 0) {
                return DurationStyle.SIMPLE.print(duration, unit);
            }
        }
        return duration.isZero() ? "0s" : DurationStyle.SIMPLE.print(duration, ChronoUnit.MILLIS);
    }
}
