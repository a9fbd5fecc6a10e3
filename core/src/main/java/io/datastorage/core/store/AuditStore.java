package io.datastorage.core.store;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Durable storage of audit records: the system of record.
 *
 * <p>Contract every implementation keeps:
 * <ul>
 *   <li>{@link #write} is atomic: when it returns, every draft is durably committed under the id
 *   in its receipt; when it throws, none is.</li>
 *   <li>Text and numbers are stored exactly; {@link #find} returns the document as written.</li>
 *   <li>With an {@link IdempotencyToken}, a key seen before with the same fingerprint returns the
 *   original receipts and writes nothing ({@link WriteResult#replayed()}); the same key with
 *   another fingerprint throws {@link IdempotencyConflictException} and writes nothing. Two
 *   concurrent calls with one key never both write.</li>
 *   <li>Failures of the store itself throw {@link StoreUnavailableException} (transient).</li>
 * </ul>
 */
public interface AuditStore {

    /**
     * Stores the drafts in one transaction.
     *
     * @param drafts 1..n validated records
     * @param token  the idempotency key of the request and the fingerprint of its content, or null
     * @return receipts in the order of {@code drafts}
     */
    WriteResult write(List<AuditDraft> drafts, IdempotencyToken token);

    /** The record of this kind with this id, if stored. */
    Optional<AuditRecord> find(AuditKind kind, UUID id);
}
