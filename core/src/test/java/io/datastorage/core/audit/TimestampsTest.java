package io.datastorage.core.audit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Strict RFC 3339, 0..9 fractional digits, one value: the instant truncated to the microsecond. */
class TimestampsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "2026-11-20T10:00:00+05                | RFC 3339",
            "2026-11-20T10:00:00+0530              | RFC 3339",
            "2026-11-20T10:00:00+05:45:30          | RFC 3339",
            "2026-11-20T10:00Z                     | RFC 3339",
            "2026-11-20T10:00:00.Z                 | RFC 3339",
            "2026-11-20T10:00:00                   | RFC 3339",
            "2026-11-20                            | RFC 3339",
            "20261120T100000Z                      | RFC 3339",
            "2026-11-20T10:00:00,5Z                | RFC 3339",
            "+2026-11-20T10:00:00Z                 | RFC 3339",
            "2026-11-20T10:00:00.1234567890Z       | at most 9 fractional digits",
            "2016-12-31T23:59:60Z                  | leap second",
            "2026-02-29T10:00:00Z                  | real date",
            "2026-11-20T10:60:00Z                  | real date",
            "2026-11-20T10:00:00+18:01             | real date",
            "1969-12-31T23:59:59.999999999Z        | must lie between",
            "10000-01-01T00:00:00Z                 | RFC 3339"})
    void rejects(String text, String reason) {
        assertThatThrownBy(() -> Timestamps.parse(text, text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "2026-11-20T10:00:00Z                  | 2026-11-20T10:00:00Z",
            "2026-11-20t10:00:00z                  | 2026-11-20T10:00:00Z",
            "2026-11-20T10:00:00.5+01:00           | 2026-11-20T09:00:00.5Z",
            "2013-07-31T23:59:59.9999999Z          | 2013-07-31T23:59:59.999999Z",
            "2013-07-31T23:59:59.999999999-00:00   | 2013-07-31T23:59:59.999999Z",
            "1970-01-01T00:00:00.0000009Z          | 1970-01-01T00:00:00Z",
            "1970-01-01T05:45:00+05:45             | 1970-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z        | 9999-12-31T23:59:59.999999Z",
            "2024-02-29T12:00:00-12:00             | 2024-03-01T00:00:00Z",
            "2026-01-01T00:00:00+14:00             | 2025-12-31T10:00:00Z"})
    void accepts(String text, String instant) {
        assertThat(Timestamps.parse(text, text)).isEqualTo(Instant.parse(instant));
    }

    /**
     * Any instant near a month or year edge, written with 0..9 fractional digits and an offset
     * from -12:00 to +14:00, reads back as that instant truncated to the microsecond: never in
     * another second, month or year than the truncated value.
     */
    @Property(tries = 3000)
    void readsEveryWellFormedTimeAsItsInstantTruncatedToTheMicrosecond(
            @ForAll("edges") Instant edge, @ForAll @IntRange(min = -2_000_000, max = 2_000_000) int nanosAround,
            @ForAll @IntRange(min = 0, max = 9) int digits, @ForAll("offsets") ZoneOffset offset) {
        Instant exact = edge.plusNanos((long) nanosAround * 1000 + nanosAround % 1000).truncatedTo(
                digits == 0 ? ChronoUnit.SECONDS : ChronoUnit.NANOS);
        exact = exact.minusNanos(exact.getNano() % (long) Math.pow(10, 9 - digits));
        String pattern = "uuuu-MM-dd'T'HH:mm:ss" + (digits == 0 ? "" : "." + "S".repeat(digits)) + "xxx";
        String text = OffsetDateTime.ofInstant(exact, offset).format(DateTimeFormatter.ofPattern(pattern));

        Instant parsed = Timestamps.parse(text, text);

        assertThat(parsed).as(text).isEqualTo(exact.truncatedTo(ChronoUnit.MICROS));
        assertThat(parsed.atOffset(ZoneOffset.UTC).getMonth()).isEqualTo(
                exact.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC).getMonth());
    }

    @Provide
    Arbitrary<Instant> edges() {
        return Arbitraries.integers().between(1971, 2100).flatMap(year -> Arbitraries.integers().between(1, 12)
                .map(month -> OffsetDateTime.of(year, month, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant()));
    }

    @Provide
    Arbitrary<ZoneOffset> offsets() {
        return Arbitraries.integers().between(-12 * 4, 14 * 4).map(quarters -> ZoneOffset.ofTotalSeconds(quarters * 900));
    }
}
