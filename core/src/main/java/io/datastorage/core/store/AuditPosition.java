package io.datastorage.core.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.UUID;

/**
 * Where a record sits in the listing order: its {@code createdAt} and its id. Two records never
 * share a position, so a position is a precise place to resume a listing from even when many
 * records have the same {@code createdAt}.
 */
public record AuditPosition(Instant createdAt, UUID id) {
    /**
     * The listing order: the latest {@code createdAt} first; among equal ones, the greater id
     * first, ids compared as PostgreSQL compares {@code uuid} values (as unsigned 128-bit numbers,
     * which {@link UUID#compareTo} does not do).
     */
    public static final Comparator<AuditPosition> LISTING_ORDER = Comparator.comparing(AuditPosition::createdAt)
            .thenComparing(AuditPosition::id, AuditPosition::compareUnsigned)
            .reversed();

    public AuditPosition {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(id, "id");
    }

    /** Whether this position comes after {@code other} in the listing order (is older). */
    public boolean isAfter(AuditPosition other) {
        return LISTING_ORDER.compare(this, other) > 0;
    }

    private static int compareUnsigned(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}
