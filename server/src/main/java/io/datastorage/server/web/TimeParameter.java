package io.datastorage.server.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A point in time given as RFC 3339 ({@code 2026-11-20T10:00:00Z}) or as an age ({@code 30m}, {@code 24h}, {@code 7d}: that long ago). */
final class TimeParameter {
    static final String EXPECTED = "an RFC 3339 time (2026-11-20T10:00:00Z) or an age like 30s, 15m, 24h, 7d";
    private static final Pattern AGE = Pattern.compile("(\\d{1,9})([smhd])");

    private TimeParameter() {
    }

    /** The instant, or empty when the text is neither form. */
    static Optional<Instant> parse(String text, Clock clock) {
        Matcher age = AGE.matcher(text);
        if (age.matches()) {
            long amount = Long.parseLong(age.group(1));
            Duration ago = switch (age.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            return Optional.of(clock.instant().minus(ago));
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
