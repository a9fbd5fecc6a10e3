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
 *
 * @param legacyId   the id a legacy store knows the record by, when it came from (or went to) one under
 *                   an id that is not {@code id} itself; {@code null} otherwise
 * @param recordedBy who wrote it ({@link NewRecord#recordedBy()}); {@code null} for a record read
 *                   from a legacy store, which records no writer
 */
public record AuditRecord(UUID id, AuditKind kind, Instant receivedAt, Map<String, Object> document, boolean embedded,
                          boolean vectorIndexed, String legacyId, String recordedBy) {
    public AuditRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(receivedAt, "receivedAt");
        document = Collections.unmodifiableMap(new LinkedHashMap<>(kind.canonicalOrder(document)));
    }

    /** A record of no known writer (a legacy store's). */
    public AuditRecord(UUID id, AuditKind kind, Instant receivedAt, Map<String, Object> document, boolean embedded,
                       boolean vectorIndexed, String legacyId) {
        this(id, kind, receivedAt, document, embedded, vectorIndexed, legacyId, null);
    }

    /** A record without a legacy id nor a known writer. */
    public AuditRecord(UUID id, AuditKind kind, Instant receivedAt, Map<String, Object> document, boolean embedded,
                       boolean vectorIndexed) {
        this(id, kind, receivedAt, document, embedded, vectorIndexed, null, null);
    }
}
