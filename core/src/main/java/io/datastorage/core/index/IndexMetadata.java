package io.datastorage.core.index;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.util.Objects;

/**
 * The filterable facts of a record, stored beside its vector.
 *
 * @param namespace may be null
 * @param phase     may be null
 * @param checksum  fingerprint of the record the vector was computed from, so reconciliation can
 *                  tell a vector whose record changed; may be null
 */
public record IndexMetadata(AuditKind kind, String namespace, String phase, Instant createdAt, String checksum) {
    public IndexMetadata {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
