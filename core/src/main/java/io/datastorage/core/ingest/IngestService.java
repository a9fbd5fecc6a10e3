package io.datastorage.core.ingest;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.WriteResult;

import java.util.List;
import java.util.Objects;

/**
 * The write use case, whoever calls it (the REST API, its batch endpoint, later the migration
 * engine): validate every field → idempotency token over the canonical content → embed within the
 * deadline → dual-write (DESIGN.md, "Write path"), or the migration's routed write. It knows no transport: the caller parses the
 * body into the neutral tree, names the scope of the idempotency key, and starts the deadline.
 *
 * <p>Contract:
 * <ul>
 *   <li>Invalid input throws {@link io.datastorage.core.audit.AuditValidationException} naming
 *       every bad field, before anything is embedded or stored.</li>
 *   <li>An embedder that fails or runs out of its share of the deadline never fails the write:
 *       the records are stored with their embedding pending ({@link RecordEmbedder}).</li>
 *   <li>A deadline that passes, or a request cancelled, before the commit stores nothing
 *       ({@link io.datastorage.core.dualwrite.DeadlineExceededException}).</li>
 *   <li>The same key with the same content (however spelled) replays the first answer
 *       ({@link WriteResult#replayed()}); with other content it throws
 *       {@link io.datastorage.core.store.IdempotencyConflictException}. Both store nothing.</li>
 *   <li>Every other failure is the writer's: the dual-write coordinator's
 *       ({@link io.datastorage.core.dualwrite.DualWriteCoordinator#write}) or, during a migration,
 *       the router's.</li>
 * </ul>
 */
public final class IngestService {
    private final AuditValidator validator;
    private final RecordEmbedder embedder;
    private final RecordWriter writer;
    private final ContentFingerprint.Legacy legacy;

    /**
     * @param legacy the fingerprint of an earlier version, still matched for keys it stored
     *               ({@link ContentFingerprint.Legacy#NONE} when there is none)
     */
    public IngestService(AuditValidator validator, RecordEmbedder embedder, RecordWriter writer,
                         ContentFingerprint.Legacy legacy) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.legacy = Objects.requireNonNull(legacy, "legacy");
    }

    /**
     * Stores one record.
     *
     * @param tree the record as a JSON parser hands it over (a map)
     * @param key  the idempotency key and its scope, or null
     */
    public WriteResult ingest(AuditKind kind, Object tree, IdempotencyKey key, Deadline deadline) {
        return ingest(kind, tree, key, deadline, NewRecord.ANONYMOUS);
    }

    /**
     * Stores one record written by {@code recordedBy} (the request's authenticated subject, see
     * {@link NewRecord#recordedBy()}).
     */
    public WriteResult ingest(AuditKind kind, Object tree, IdempotencyKey key, Deadline deadline, String recordedBy) {
        return write(List.of(validator.validate(kind, tree)), tree, key, deadline, recordedBy);
    }

    /**
     * Stores a batch of records in one transaction, all or none; receipts in input order.
     *
     * @param tree the records as a JSON parser hands them over (a list of maps); invalid fields are
     *             named {@code [index].field}
     * @param key  the idempotency key and its scope, or null
     */
    public WriteResult ingestBatch(AuditKind kind, Object tree, IdempotencyKey key, Deadline deadline) {
        return ingestBatch(kind, tree, key, deadline, NewRecord.ANONYMOUS);
    }

    /** Stores a batch of records written by {@code recordedBy}, as {@link #ingestBatch(AuditKind, Object, IdempotencyKey, Deadline)}. */
    public WriteResult ingestBatch(AuditKind kind, Object tree, IdempotencyKey key, Deadline deadline,
                                   String recordedBy) {
        return write(validator.validateBatch(kind, tree), tree, key, deadline, recordedBy);
    }

    private WriteResult write(List<AuditDraft> drafts, Object tree, IdempotencyKey key, Deadline deadline,
                              String recordedBy) {
        Objects.requireNonNull(recordedBy, "recordedBy");
        // A key belongs to its writer: the same key and content from another subject is not a retry of
        // the first writer's request, and replaying it would hand that writer's record ids to someone
        // else. Without authentication (every writer anonymous) the scope stays what it always was.
        String scope = NewRecord.ANONYMOUS.equals(recordedBy) ? key == null ? null : key.scope()
                : key == null ? null : key.scope() + "\nrecorded by " + recordedBy;
        IdempotencyToken token = key == null ? null : new IdempotencyToken(key.key(),
                ContentFingerprint.of(scope, tree), legacy.of(scope, tree));
        List<NewRecord> records = embedder.embed(drafts, deadline).stream().map(r -> r.withRecordedBy(recordedBy)).toList();
        return writer.write(records, token, deadline);
    }
}
