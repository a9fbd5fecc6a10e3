package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;

import java.util.Objects;
import java.util.UUID;

/**
 * What a client learns of a stored record: enough to find it again, whether its embedding was
 * stored with it ({@code false}: pending, computed later), and whether its vector reached the
 * vector index before the answer ({@code false}: pending, indexed by the repair worker).
 */
public record Receipt(UUID id, AuditKind kind, String correlationId, String createdAt, boolean embedded,
                      boolean vectorIndexed) {
    public Receipt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public Receipt withVectorIndexed(boolean indexed) {
        return new Receipt(id, kind, correlationId, createdAt, embedded, indexed);
    }
}
