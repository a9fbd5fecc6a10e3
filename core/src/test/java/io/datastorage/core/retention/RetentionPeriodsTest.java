package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditKind;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionPeriodsTest {
    private static final RetentionPeriods THIRTY_DAYS = new RetentionPeriods(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30)));

    @Test
    void aMonthExpiresTheMomentItsLastRecordIsAsOldAsThePeriod() {
        YearMonth january = YearMonth.of(2026, 1);
        Instant endOfJanuaryPlus30Days = Instant.parse("2026-03-03T00:00:00Z");

        assertThat(THIRTY_DAYS.expired(AuditKind.REMEDIATION, january, endOfJanuaryPlus30Days.minusNanos(1))).isFalse();
        assertThat(THIRTY_DAYS.expired(AuditKind.REMEDIATION, january, endOfJanuaryPlus30Days)).isTrue();
        assertThat(THIRTY_DAYS.expired(AuditKind.WORKFLOW, january, Instant.MAX)).isFalse();
    }

    @Test
    void aPeriodOfZeroOrLessIsRefused() {
        assertThatThrownBy(() -> new RetentionPeriods(Map.of(AuditKind.WORKFLOW, Duration.ZERO)))
                .hasMessageContaining("workflow");
        assertThatThrownBy(() -> new RetentionPeriods(Map.of(AuditKind.WORKFLOW, Duration.ofDays(-1))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEmptyPartitionIsDroppableOnlyWhenExpiredForEveryKindWithAPeriod() {
        RetentionPeriods two = new RetentionPeriods(Map.of(AuditKind.REMEDIATION, Duration.ofDays(30),
                AuditKind.EXECUTION, Duration.ofDays(400)));
        Instant now = Instant.parse("2026-06-01T00:00:00Z");

        assertThat(two.expiredForEveryKind(YearMonth.of(2026, 1), now)).isFalse();
        assertThat(two.expiredForEveryKind(YearMonth.of(2025, 1), now)).isTrue();
        assertThat(RetentionPeriods.keepForever().expiredForEveryKind(YearMonth.of(2000, 1), now)).isFalse();
    }

    @Property
    void everyMonthBeforeTheFirstKeptIsExpiredAndNoneFromItOn(@ForAll @LongRange(min = 0, max = 4_000_000_000L) long seconds,
                                                             @ForAll @IntRange(min = 1, max = 2000) int days,
                                                             @ForAll @IntRange(min = -30, max = 30) int offset) {
        RetentionPeriods periods = new RetentionPeriods(Map.of(AuditKind.EXECUTION, Duration.ofDays(days)));
        Instant now = Instant.ofEpochSecond(seconds);
        YearMonth firstKept = periods.firstKept(AuditKind.EXECUTION, now).orElseThrow();
        YearMonth month = firstKept.plusMonths(offset);

        assertThat(periods.expired(AuditKind.EXECUTION, month, now)).isEqualTo(month.isBefore(firstKept));
    }
}
