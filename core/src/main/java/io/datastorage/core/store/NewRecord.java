package io.datastorage.core.store;

import io.datastorage.core.audit.AuditDraft;

import java.util.Objects;

/**
 * A validated record about to be written, with its embedding, or {@code null} when the embedder
 * failed: the record is then stored with its embedding pending.
 */
public record NewRecord(AuditDraft draft, float[] embedding) {
    public NewRecord {
        Objects.requireNonNull(draft, "draft");
    }

    public boolean embedded() {
        return embedding != null;
    }
}
