package io.datastorage.core.store;

import io.datastorage.core.audit.AuditDraft;

import java.util.Objects;
import java.util.UUID;

/**
 * A validated record about to be written, with its embedding, or {@code null} when the embedder
 * failed: the record is then stored with its embedding pending.
 *
 * @param id       the id to store the record under, or {@code null} for the store to choose one
 *                 (a time-ordered UUIDv7). A migration gives one: the id the other side holds the
 *                 record under, or one chosen before the primary write. See {@link RecordStore#write}
 *                 for a given id that is stored already.
 * @param legacyId the id the legacy side knows the record by, when that is not {@code id} itself
 *                 ({@code io.datastorage.core.migration.LegacyIds}); {@code null} otherwise. Only with an {@code id}.
 */
public record NewRecord(AuditDraft draft, float[] embedding, UUID id, String legacyId) {
    public NewRecord {
        Objects.requireNonNull(draft, "draft");
        if (legacyId != null && id == null) {
            throw new IllegalArgumentException("a legacy id comes with the record id it maps to");
        }
    }

    /** A record the store chooses the id of. */
    public NewRecord(AuditDraft draft, float[] embedding) {
        this(draft, embedding, null, null);
    }

    public boolean embedded() {
        return embedding != null;
    }

    /** This record to be stored under {@code id} (and {@code legacyId}, or null). */
    public NewRecord withId(UUID id, String legacyId) {
        return new NewRecord(draft, embedding, Objects.requireNonNull(id, "id"), legacyId);
    }
}
