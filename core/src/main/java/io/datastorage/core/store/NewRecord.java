package io.datastorage.core.store;

import io.datastorage.core.audit.AuditDraft;

import java.util.Objects;
import java.util.UUID;

/**
 * A validated record about to be written, with its embedding, or {@code null} when the embedder
 * failed: the record is then stored with its embedding pending.
 *
 * @param id         the id to store the record under, or {@code null} for the store to choose one
 *                   (a time-ordered UUIDv7). A migration gives one: the id the other side holds the
 *                   record under, or one chosen before the primary write. See {@link RecordStore#write}
 *                   for a given id that is stored already.
 * @param legacyId   the id the legacy side knows the record by, when that is not {@code id} itself
 *                   ({@code io.datastorage.core.migration.LegacyIds}); {@code null} otherwise. Only with an {@code id}.
 * @param recordedBy who wrote the record: the authenticated subject of the request
 *                   ({@link #ANONYMOUS} without authentication), or {@link #MIGRATION} for a record a
 *                   migration copied from a legacy store. Stored with the record and covered by its
 *                   hash chain; a record stored already under a given id keeps the one it has.
 */
public record NewRecord(AuditDraft draft, float[] embedding, UUID id, String legacyId, String recordedBy) {
    /** The writer of a request without authentication (Kubernetes' own name for it). */
    public static final String ANONYMOUS = "system:anonymous";
    /** The writer of a record a migration copied from a legacy store, which records no writer. */
    public static final String MIGRATION = "system:datastorage:migration";

    public NewRecord {
        Objects.requireNonNull(draft, "draft");
        Objects.requireNonNull(recordedBy, "recordedBy");
        if (recordedBy.isBlank()) {
            throw new IllegalArgumentException("recordedBy is blank");
        }
        if (legacyId != null && id == null) {
            throw new IllegalArgumentException("a legacy id comes with the record id it maps to");
        }
    }

    /** A record under a given id (and legacy id, or null), written by {@link #ANONYMOUS}. */
    public NewRecord(AuditDraft draft, float[] embedding, UUID id, String legacyId) {
        this(draft, embedding, id, legacyId, ANONYMOUS);
    }

    /** A record the store chooses the id of, written by {@link #ANONYMOUS}. */
    public NewRecord(AuditDraft draft, float[] embedding) {
        this(draft, embedding, null, null, ANONYMOUS);
    }

    public boolean embedded() {
        return embedding != null;
    }

    /** This record to be stored under {@code id} (and {@code legacyId}, or null). */
    public NewRecord withId(UUID id, String legacyId) {
        return new NewRecord(draft, embedding, Objects.requireNonNull(id, "id"), legacyId, recordedBy);
    }

    /** This record as written by {@code subject}. */
    public NewRecord withRecordedBy(String subject) {
        return new NewRecord(draft, embedding, id, legacyId, subject);
    }
}
