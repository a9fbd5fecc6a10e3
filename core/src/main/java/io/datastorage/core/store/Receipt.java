package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;

import java.util.Objects;
import java.util.UUID;

/**
 * What a client learns of a stored record: enough to find it again, and whether its embedding
 * was stored with it ({@code false}: pending, computed later).
 */
public record Receipt(UUID id, AuditKind kind, String correlationId, String createdAt, boolean embedded) {
    public Receipt {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
