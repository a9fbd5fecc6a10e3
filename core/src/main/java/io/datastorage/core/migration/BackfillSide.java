package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One side of a migration as a {@link Backfill} reads it (as the source) and writes it (as the
 * target): a scan in pages with a position to resume from, a read by id, a count, an idempotent put
 * that never overwrites, and a removal.
 *
 * <p>A failure is thrown as the side's {@link io.datastorage.core.error.DatastorageException}.
 */
public interface BackfillSide {

    /** What a put did with one record. */
    enum PutOutcome {
        /** The side lacked the record; now it holds it. */
        CREATED,
        /** The side held the record with the same content already (written live meanwhile). */
        UNCHANGED,
        /** Not stored: the side holds the id with other content, or cannot hold the record (logged by id). */
        REFUSED
    }

    /**
     * Up to {@code limit} records of {@code kind} after {@code after} (from the first when empty), in
     * this side's scan order; a page with a next position when more may follow.
     */
    LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit);

    /** The record of {@code kind} with {@code id}, if this side holds it. */
    Optional<LegacyRecord> find(AuditKind kind, UUID id);

    /** How many records of {@code kind} this side holds. */
    long count(AuditKind kind);

    /**
     * Puts each record this side lacks, never changing one it holds.
     *
     * @return one outcome per record, in order
     */
    List<PutOutcome> putAll(List<LegacyRecord> records);

    /** Removes {@code record} (one this backfill put) if this side holds it. */
    void remove(LegacyRecord record);

    /** A legacy store as a backfill side: puts one by one ({@link LegacyStore#put}). */
    static BackfillSide of(LegacyStore store) {
        Objects.requireNonNull(store, "store");
        Logger log = LoggerFactory.getLogger(BackfillSide.class);
        return new BackfillSide() {
            @Override
            public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
                return store.scan(kind, after, limit);
            }

            @Override
            public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
                return store.find(kind, id);
            }

            @Override
            public long count(AuditKind kind) {
                return store.count(kind);
            }

            @Override
            public List<PutOutcome> putAll(List<LegacyRecord> records) {
                List<PutOutcome> outcomes = new ArrayList<>(records.size());
                for (LegacyRecord record : records) {
                    try {
                        outcomes.add(store.put(record) == LegacyStore.PutOutcome.CREATED ? PutOutcome.CREATED
                                : PutOutcome.UNCHANGED);
                    } catch (LegacyRecordConflictException | LegacyRecordRefusedException
                             | io.datastorage.core.store.UnreadableRecordException e) {
                        log.warn("Backfill: the legacy store did not take {} record {}: {}", record.kind().pathName(),
                                record.id(), e.getMessage());
                        outcomes.add(PutOutcome.REFUSED);
                    }
                }
                return outcomes;
            }

            @Override
            public void remove(LegacyRecord record) {
                store.remove(record.kind(), record.id());
            }

            @Override
            public String toString() {
                return "the legacy store";
            }
        };
    }
}
