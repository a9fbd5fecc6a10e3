package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A stored audit record: its id, kind, when the service received it, the document exactly as
 * accepted (in canonical field order), whether its embedding is stored yet, and whether its
 * vector is in the vector index yet.
 */
public record AuditRecord(UUID id, AuditKind kind, Instant receivedAt, Map<String, Object> document, boolean embedded,
                          boolean vectorIndexed) {
    public AuditRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(receivedAt, "receivedAt");
        document = Collections.unmodifiableMap(new LinkedHashMap<>(kind.canonicalOrder(document)));
    }
}
