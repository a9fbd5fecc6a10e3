package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;

/**
 * What a retention run does at {@code at}: the expired (kind, month)s it drops, with their record
 * counts, and the expired ones that active legal holds keep, with the holds.
 */
public record RetentionPlan(Instant at, List<Drop> drops, List<Blocked> blocked) {

    public RetentionPlan {
        drops = List.copyOf(drops);
        blocked = List.copyOf(blocked);
    }

    /** An expired month of a kind that the run drops. */
    public record Drop(AuditKind kind, YearMonth month, long records) {
    }

    /** An expired month of a kind that {@code holds} keep. */
    public record Blocked(AuditKind kind, YearMonth month, long records, List<UUID> holds) {
        public Blocked {
            holds = List.copyOf(holds);
        }
    }

    /** How many records the drops remove. */
    public long records() {
        return drops.stream().mapToLong(Drop::records).sum();
    }
}
