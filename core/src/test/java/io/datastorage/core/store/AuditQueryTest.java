package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditQueryTest {
    @Test
    void rejectsALimitOutsideOneToAThousandNamingIt() {
        assertThat(AuditQuery.builder().limit(1).build().limit()).isEqualTo(1);
        assertThat(AuditQuery.builder().limit(1000).build().limit()).isEqualTo(1000);
        assertThatThrownBy(() -> AuditQuery.builder().limit(0).build())
                .hasMessage("limit must be 1..1000, was 0");
        assertThatThrownBy(() -> AuditQuery.builder().limit(1001).build())
                .hasMessage("limit must be 1..1000, was 1001");
    }

    @Test
    void rejectsAWindowThatEndsBeforeItStarts() {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");

        assertThat(AuditQuery.builder().since(t).until(t).build().since()).isEqualTo(t);
        assertThatThrownBy(() -> AuditQuery.builder().since(t.plusNanos(1)).until(t).build())
                .hasMessageStartingWith("since must not be after until");
    }

    @Test
    void listsEveryKindByDefaultAndNeedsAtLeastOne() {
        assertThat(AuditQuery.builder().build().allKinds()).isTrue();
        assertThat(AuditQuery.builder().kind(AuditKind.WORKFLOW).build().allKinds()).isFalse();
        assertThatThrownBy(() -> AuditQuery.builder().kinds(List.of()).build()).hasMessageContaining("at least one kind");
    }

    @Test
    void ordersNewestFirstThenTheGreaterIdComparedUnsigned() {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        UUID low = UUID.fromString("00000000-0000-7000-8000-000000000000");
        UUID high = UUID.fromString("f0000000-0000-7000-8000-000000000000"); // negative as a Java long

        List<AuditPosition> sorted = List.of(new AuditPosition(t, low), new AuditPosition(t.plusSeconds(1), low),
                new AuditPosition(t, high)).stream().sorted(AuditPosition.LISTING_ORDER).toList();

        assertThat(sorted).containsExactly(new AuditPosition(t.plusSeconds(1), low), new AuditPosition(t, high),
                new AuditPosition(t, low));
        assertThat(new AuditPosition(t, low).isAfter(new AuditPosition(t, high))).isTrue();
    }
}
