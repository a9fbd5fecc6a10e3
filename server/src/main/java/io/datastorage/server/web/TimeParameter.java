package io.datastorage.server.web;

import io.datastorage.core.audit.AuditLimits;
import io.datastorage.core.audit.Timestamps;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A time bound of a read request ({@code since}, {@code until}): an RFC 3339 date-time with an
 * offset, read as records' times are ({@link Timestamps#parse}, truncated to the microsecond), or
 * a time before now ({@code 30m}, {@code 24h}, {@code 7d}), also truncated to the microsecond.
 *
 * @param normalized the bound as written, independent of when it is read: the instant, or
 *                   {@code -PT24H} for "24h ago" (so "24h" and "1440m" are the same bound)
 * @param instant    what it means now
 */
record TimeParameter(String normalized, Instant instant) {
    private static final Pattern RELATIVE = Pattern.compile("([0-9]{1,9})([smhd])");
    static final String FORMS = "an RFC 3339 date-time with seconds and an offset (2026-11-20T10:15:30Z, "
            + "2026-11-20T11:15:30.123456789+01:00) or a time before now (30m, 24h, 7d; units s, m, h, d)";

    /**
     * @param echoed the text as it may be shown back to the client
     * @throws IllegalArgumentException saying what is wrong with the text, for a 400
     */
    static TimeParameter parse(String text, String echoed, Instant now) {
        Instant instant;
        String normalized;
        Matcher relative = RELATIVE.matcher(text);
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration back = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            instant = Timestamps.toMicros(now.minus(back));
            normalized = "-" + back;
        } else {
            try {
                instant = Timestamps.parse(text, echoed);
            } catch (IllegalArgumentException e) {
                if (text.contains(" ")) {
                    throw new IllegalArgumentException("must be " + FORMS + ", was " + echoed
                            + " (in a URL, '+' means a space: write it as %2B)");
                }
                throw new IllegalArgumentException(e.getMessage().startsWith("must be " + Timestamps.FORM)
                        ? "must be " + FORMS + ", was " + echoed : e.getMessage());
            }
            normalized = instant.toString();
        }
        if (instant.isBefore(AuditLimits.MIN_TIMESTAMP) || instant.isAfter(AuditLimits.MAX_TIMESTAMP)) {
            throw new IllegalArgumentException("must lie between " + AuditLimits.MIN_TIMESTAMP + " and "
                    + AuditLimits.MAX_TIMESTAMP + ", was " + echoed + " (" + instant + ")");
        }
        return new TimeParameter(normalized, instant);
    }
}
