package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Durable storage of audit records: the system of record. The role the write path and the
 * listing use.
 *
 * <p>Contract every implementation keeps (checked by {@code RecordStoreContract}):
 * <ul>
 *   <li>{@link #write} is atomic: when it returns, every draft is durably committed under the id
 *   in its receipt; when it throws, none is.</li>
 *   <li>Text and numbers are stored exactly; {@link #find} returns the document as written.</li>
 *   <li>With an {@link IdempotencyToken}, a key seen before with the same fingerprint returns the
 *   original receipts and writes nothing ({@link WriteResult#replayed()}); the same key with
 *   another fingerprint throws {@link IdempotencyConflictException} and writes nothing. Two
 *   concurrent calls with one key never both write.</li>
 *   <li>Failures of the store itself throw {@link StoreUnavailableException} (transient).</li>
 *   <li>A write whose connection broke during its commit throws
 *       {@link CommitOutcomeUnknownException}: it may have committed.</li>
 *   <li><b>Given ids</b> ({@link NewRecord#id()}, a migration's): a record is stored under its
 *       given id and legacy id. A given id stored already with the same kind, legacy id and
 *       document (canonical JSON: {@code 0.5} equals {@code 0.50}) is not written again: its
 *       receipt describes the stored record, so a migration's retry after an unknown outcome leaves
 *       one copy. A given id stored with other content throws {@link RecordConflictException} and
 *       the whole write stores nothing.</li>
 *   <li><b>Migration terms</b> ({@link MigrationTerms}): the write is fenced to a phase version and
 *       queues its secondary writes in its own transaction.</li>
 * </ul>
 */
public interface RecordStore {

    /**
     * Stores the records, each with its embedding or marked "embedding pending", in one transaction.
     *
     * @param records 1..n validated records
     * @param token   the idempotency key of the request and the fingerprint of its content, or null
     * @return receipts in the order of {@code records}
     * @throws IllegalArgumentException no record
     */
    default WriteResult write(List<NewRecord> records, IdempotencyToken token) {
        return write(records, token, BeforeCommit.NONE);
    }

    /**
     * Like {@link #write(List, IdempotencyToken)}, running {@code beforeCommit} inside the
     * transaction, before it commits, on the records that have an embedding (in input order; not
     * at all when none has); the ids it returns are stored as indexed, the others as "index
     * pending", and an exception from it rolls everything back. A replayed request does not run it.
     */
    default WriteResult write(List<NewRecord> records, IdempotencyToken token, BeforeCommit beforeCommit) {
        return write(records, token, beforeCommit, null);
    }

    /**
     * Like {@link #write(List, IdempotencyToken, BeforeCommit)}, under a migration's
     * {@link MigrationTerms} (or none, when {@code terms} is null).
     *
     * @throws io.datastorage.core.migration.PhaseChangedException the stored phase version is not
     *         {@link MigrationTerms#phaseVersion()} (nothing written; retry under the new phase)
     * @throws RecordConflictException a given id is stored with other content (nothing written)
     */
    WriteResult write(List<NewRecord> records, IdempotencyToken token, BeforeCommit beforeCommit, MigrationTerms terms);

    /**
     * Undoes a write whose answer is a failure (a migration's {@code fail} policy, when the
     * secondary write failed after the primary committed): deletes the records of
     * {@code receipts}, the secondary writes queued for them, and the idempotency key of
     * {@code token} (null: none) when it holds these receipts, in one transaction. Records already
     * gone are skipped, so an undo can be retried. The vectors are not the store's: the caller
     * deletes them from the index.
     *
     * @throws StoreUnavailableException the store cannot be reached; nothing or everything was undone
     */
    void undo(List<Receipt> receipts, IdempotencyToken token);

    /** The record of this kind with this id, if stored. */
    Optional<AuditRecord> find(AuditKind kind, UUID id);

    /**
     * One page of the records matching {@code query}, in the listing order
     * ({@link AuditPosition#LISTING_ORDER}: {@code createdAt} descending, then id descending),
     * starting right after {@link AuditQuery#after()}.
     *
     * <p>Pages are cut by position (keyset pagination), not by offset: walking from page to page
     * with {@link AuditPage#next()} returns every matching record that existed when the walk began
     * exactly once, even when records share a {@code createdAt} and while records are added. A
     * record added during the walk appears only if its position is after the page already read
     * (an older {@code createdAt}); never twice. Items are the same as {@link #find} returns.
     */
    AuditPage list(AuditQuery query);

    /**
     * The oldest {@code createdAt} of a stored record of {@code kind} at or after {@code notBefore}
     * (readable or not), if any: where a walk of the records in ascending {@code createdAt} goes next
     * without reading a record (the sync validator's windows). An index lookup, not a scan.
     */
    Optional<Instant> firstCreatedAt(AuditKind kind, Instant notBefore);
}
