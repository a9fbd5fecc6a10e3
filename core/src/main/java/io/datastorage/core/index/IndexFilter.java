package io.datastorage.core.index;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.util.Set;

/**
 * What a search is restricted to; every part is optional (null or empty: no restriction).
 *
 * @param since inclusive lower bound of {@code createdAt}
 * @param until exclusive upper bound of {@code createdAt}
 */
public record IndexFilter(Set<AuditKind> kinds, String namespace, String phase, Instant since, Instant until) {
    public static final IndexFilter NONE = new IndexFilter(Set.of(), null, null, null, null);

    public IndexFilter {
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
    }

    /** Whether an entry with this metadata passes the filter. */
    public boolean matches(IndexMetadata metadata) {
        return (kinds.isEmpty() || kinds.contains(metadata.kind()))
                && (namespace == null || namespace.equals(metadata.namespace()))
                && (phase == null || phase.equals(metadata.phase()))
                && (since == null || !metadata.createdAt().isBefore(since))
                && (until == null || metadata.createdAt().isBefore(until));
    }
}
