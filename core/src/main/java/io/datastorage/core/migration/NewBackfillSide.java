package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordConflictException;
import io.datastorage.core.store.RecordStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The new side (datastorage's own {@link RecordStore}) as a {@link Backfill} reads and writes it.
 * A put goes through the normal write pipeline: each document validated as a request's is, embedded
 * by the service's {@link RecordEmbedder} (its cache and batching; a failed embedding leaves the
 * record pending, as for any write), and written by the {@link DualWriteCoordinator} under its given
 * id and legacy id, so it is indexed too. Records go in batches of up to {@link #MAX_BATCH}; a batch
 * that meets a record stored with other content falls back to one by one, so that one conflict costs
 * only its own record.
 */
public final class NewBackfillSide implements BackfillSide {
    private static final Logger log = LoggerFactory.getLogger(NewBackfillSide.class);
    /** The most records one write carries. */
    public static final int MAX_BATCH = 100;
    /** How long one batch's write (embedding included) may take. */
    static final Duration BATCH_DEADLINE = Duration.ofSeconds(60);

    private final RecordStore store;
    private final AuditValidator validator;
    private final RecordEmbedder embedder;
    private final DualWriteCoordinator coordinator;
    private final Clock clock;

    public NewBackfillSide(RecordStore store, AuditValidator validator, RecordEmbedder embedder,
                           DualWriteCoordinator coordinator, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Scans in the listing order (newest first); a position's key is the record's id. */
    @Override
    public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
        AuditQuery query = AuditQuery.builder().kind(kind).limit(Math.min(limit, AuditQuery.MAX_LIMIT)).build();
        AuditPage page = store.list(query.after(after.map(p -> new AuditPosition(p.createdAt(), UUID.fromString(p.key())))
                .orElse(null)));
        List<LegacyRecord> records = page.items().stream().map(MigrationRecords::toLegacy).toList();
        return new LegacyPage(records, Optional.ofNullable(page.next())
                .map(next -> new LegacyPosition(next.createdAt(), next.id().toString())));
    }

    @Override
    public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
        return store.find(kind, id).map(MigrationRecords::toLegacy);
    }

    @Override
    public long count(AuditKind kind) {
        Long total = store.list(AuditQuery.builder().kind(kind).limit(1).includeTotal(true).build()).total();
        return total == null ? 0 : total;
    }

    @Override
    public List<PutOutcome> putAll(List<LegacyRecord> records) {
        List<PutOutcome> outcomes = new ArrayList<>(Collections.nCopies(records.size(), PutOutcome.REFUSED));
        for (int from = 0; from < records.size(); from += MAX_BATCH) {
            int to = Math.min(records.size(), from + MAX_BATCH);
            List<Integer> valid = new ArrayList<>();
            List<AuditDraft> drafts = new ArrayList<>();
            for (int i = from; i < to; i++) {
                LegacyRecord record = records.get(i);
                try {
                    drafts.add(validator.validate(record.kind(), record.document()));
                    valid.add(i);
                } catch (AuditValidationException e) {
                    log.warn("Backfill: {} record {} is not a valid record for the new store, not copied: {}",
                            record.kind().pathName(), record.id(), e.getMessage());
                }
            }
            if (drafts.isEmpty()) {
                continue;
            }
            List<NewRecord> embedded = embedder.embed(drafts, deadline());
            List<NewRecord> batch = new ArrayList<>(embedded.size());
            for (int j = 0; j < embedded.size(); j++) {
                LegacyRecord record = records.get(valid.get(j));
                batch.add(embedded.get(j).withId(record.id(), record.legacyId()).withRecordedBy(NewRecord.MIGRATION));
            }
            try {
                coordinator.write(batch, null, deadline());
                valid.forEach(i -> outcomes.set(i, PutOutcome.CREATED));
            } catch (RecordConflictException e) {
                for (int j = 0; j < batch.size(); j++) {
                    int i = valid.get(j);
                    try {
                        coordinator.write(List.of(batch.get(j)), null, deadline());
                        outcomes.set(i, PutOutcome.CREATED);
                    } catch (RecordConflictException conflict) {
                        log.warn("Backfill: the new store holds {} record {} with other content; not overwritten",
                                records.get(i).kind().pathName(), records.get(i).id());
                    }
                }
            }
        }
        return outcomes;
    }

    /** Removes the record and its vector (the coordinator's undo). */
    @Override
    public void remove(LegacyRecord record) {
        Object correlationId = record.document().get("correlationId");
        coordinator.undo(List.of(new Receipt(record.id(), record.kind(), String.valueOf(correlationId),
                String.valueOf(record.document().get("createdAt")), false, false)), null);
    }

    private Deadline deadline() {
        return Deadline.at(clock.instant().plus(BATCH_DEADLINE), clock);
    }

    @Override
    public String toString() {
        return "the new store";
    }
}
