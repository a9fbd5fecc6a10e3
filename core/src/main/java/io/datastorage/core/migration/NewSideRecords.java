package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.RecordStore;

import java.util.List;
import java.util.Objects;

/**
 * The new side (datastorage's own {@link RecordStore}) as the {@link SecondaryWriteJob} reads and
 * writes it.
 */
public final class NewSideRecords {
    private NewSideRecords() {
    }

    /** Reads a record from the store ({@link RecordStore#find}), in the shape both sides share. */
    public static RecordSource source(RecordStore store) {
        Objects.requireNonNull(store, "store");
        return (kind, id) -> store.find(kind, id).map(MigrationRecords::toLegacy);
    }

    /**
     * Writes a record to the store as the legacy side holds it: its document validated as a request's
     * is ({@code validator}, for its kind; an invalid one throws
     * {@link io.datastorage.core.audit.AuditValidationException}, permanent), then stored under its id
     * and legacy id, written by {@link NewRecord#MIGRATION} (the legacy side records no writer), with
     * its embedding pending (no idempotency key, no migration terms); the repair
     * jobs embed and index it. A record stored already with the same content is not written again;
     * with other content the store throws {@link io.datastorage.core.store.RecordConflictException}.
     */
    public static RecordSink sink(RecordStore store, AuditValidator validator) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(validator, "validator");
        return record -> {
            AuditDraft draft = validator.validate(record.kind(), record.document());
            store.write(List.of(new NewRecord(draft, null, record.id(), record.legacyId(), NewRecord.MIGRATION)), null);
        };
    }
}
