package io.datastorage.core.audit;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way the service reads a date-time, in a record ({@code createdAt}, {@code startedAt},
 * {@code completedAt}) and in a listing or search ({@code since}, {@code until}).
 *
 * <p>The form is RFC 3339's {@code date-time}, strictly: a full date, {@code T}, hours, minutes
 * and seconds, an optional fraction of 1..9 digits, and {@code Z} or an offset of hours and
 * minutes ({@code +01:00}; RFC 3339 allows lower-case {@code t} and {@code z} too). Refused: a
 * missing part ({@code 10:00Z}, {@code +05}, {@code 10:00:00.Z}), offset seconds
 * ({@code +05:45:30}), more than 9 fractional digits (finer than the nanosecond Java can hold),
 * an impossible date or time ({@code 02-30}, {@code 24:00:00}), and a leap second ({@code :60}):
 * the service's clock, like POSIX time, has no leap seconds, so {@code 23:59:60} names no instant
 * it could order; {@code 23:59:59.999999} is the last microsecond before the next minute.
 *
 * <p>The value used for everything but the text itself — the stored column, the month partition,
 * ordering, filters, cursors, comparisons — is the instant <em>truncated</em> to the microsecond,
 * the resolution of PostgreSQL's {@code timestamptz}. The text is kept verbatim in the document.
 * Truncating (not rounding) means a value never moves into the next second, month or year.
 */
public final class Timestamps {
    /** What a date-time looks like, for error messages. */
    public static final String FORM = "an RFC 3339 date-time with seconds and an offset, "
            + "e.g. 2026-11-20T10:15:30Z or 2026-11-20T11:15:30.123456789+01:00";
    public static final int MAX_FRACTION_DIGITS = 9;

    private static final Pattern RFC_3339 = Pattern.compile(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:([0-9]{2})(?:\\.([0-9]+))?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})");

    private Timestamps() {
    }

    /**
     * @param text   the date-time as written
     * @param echoed the text as it may be shown back in a message
     * @return the instant, truncated to the microsecond, within
     *         {@link AuditLimits#MIN_TIMESTAMP}..{@link AuditLimits#MAX_TIMESTAMP}
     * @throws IllegalArgumentException saying what is wrong, fit to follow "{field} "
     */
    public static Instant parse(String text, String echoed) {
        Matcher matcher = RFC_3339.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("must be " + FORM + ", was " + echoed);
        }
        if (matcher.group(1).equals("60")) {
            throw new IllegalArgumentException("must not be a leap second (:60): the service's time, like POSIX "
                    + "time, has none; write 23:59:59.999999 instead, was " + echoed);
        }
        if (matcher.group(2) != null && matcher.group(2).length() > MAX_FRACTION_DIGITS) {
            throw new IllegalArgumentException("must have at most " + MAX_FRACTION_DIGITS
                    + " fractional digits of a second, was " + echoed);
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("must be " + FORM + " naming a real date, time and offset "
                    + "(offsets up to ±18:00), was " + echoed);
        }
        if (instant.isBefore(AuditLimits.MIN_TIMESTAMP) || instant.isAfter(AuditLimits.MAX_TIMESTAMP)) {
            throw new IllegalArgumentException("must lie between " + AuditLimits.MIN_TIMESTAMP + " and "
                    + AuditLimits.MAX_TIMESTAMP + ", was " + echoed);
        }
        return instant;
    }

    /** An instant as the service uses it: truncated to the microsecond. */
    public static Instant toMicros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}
