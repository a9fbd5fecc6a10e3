package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.ingest.ContentFingerprint;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One audit record as a legacy store holds it: the record's id, its kind, when it was created, the
 * document exactly as accepted (text and numbers as stored, fields in the kind's canonical order),
 * and, when the record came from the legacy side under an id that is not a UUID, that legacy id.
 *
 * <p>{@code createdAt} is truncated to the microsecond, the resolution of PostgreSQL's
 * {@code timestamptz} and of the service's own ordering (see {@code Timestamps}), so a record reads
 * back from every store with the instant it was written with.
 *
 * @param id        the record's id; for a legacy id that is not a UUID, {@link LegacyIds#toUuid} of it
 * @param kind      the record's kind
 * @param createdAt when the record was created (truncated to the microsecond)
 * @param document  the document, a JSON tree (maps, lists, strings, numbers, booleans)
 * @param legacyId  the id the legacy side knows the record by, when that is not {@code id} itself;
 *                  {@code null} otherwise. When given, {@code id} must be {@code LegacyIds.toUuid(legacyId)}
 */
public record LegacyRecord(UUID id, AuditKind kind, Instant createdAt, Map<String, Object> document, String legacyId) {

    public LegacyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(document, "document");
        createdAt = createdAt.truncatedTo(ChronoUnit.MICROS);
        document = Collections.unmodifiableMap(new LinkedHashMap<>(kind.canonicalOrder(document)));
        if (legacyId != null) {
            if (legacyId.equals(id.toString())) {
                legacyId = null; // a UUID legacy id is the record's id: nothing more to keep
            } else if (!LegacyIds.toUuid(legacyId).equals(id)) {
                throw new IllegalArgumentException("legacy id '" + legacyId + "' maps to " + LegacyIds.toUuid(legacyId)
                        + ", not to the record's id " + id);
            }
        }
    }

    /** A record read from the legacy side under {@code legacyId}: its id is {@link LegacyIds#toUuid} of it. */
    public static LegacyRecord fromLegacy(String legacyId, AuditKind kind, Instant createdAt, Map<String, Object> document) {
        return new LegacyRecord(LegacyIds.toUuid(legacyId), kind, createdAt, document, legacyId);
    }

    /** The key the legacy side stores the record under: its legacy id, or else its id as text. */
    public String storageKey() {
        return legacyId != null ? legacyId : id.toString();
    }

    /**
     * Whether {@code other} is the same record with the same content: same id, kind, createdAt and
     * legacy id, and documents equal in canonical JSON (so {@code 0.5} and {@code 0.50} are equal, as
     * everywhere in the service, while a changed text or number is not).
     */
    public boolean sameContentAs(LegacyRecord other) {
        return id.equals(other.id) && kind == other.kind && createdAt.equals(other.createdAt)
                && Objects.equals(legacyId, other.legacyId)
                && ContentFingerprint.canonical(document).equals(ContentFingerprint.canonical(other.document));
    }
}
