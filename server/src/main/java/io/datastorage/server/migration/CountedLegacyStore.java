package io.datastorage.server.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.ForwardingLegacyStore;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyPosition;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.store.UnreadableRecordException;
import io.datastorage.server.metrics.UnreadableRecordsMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The configured legacy store, with each record it cannot read logged and counted in
 * {@code datastorage_unreadable_records_total}, as PostgreSQL's are: a read by id that fails with
 * {@link UnreadableRecordException} (answered 500 {@code unreadable-record}, whose detail says the
 * record is in the log and the metrics), and each record a scan leaves out
 * ({@link LegacyPage#unreadable()}: a listing, a backfill, a validation; the store logs each one).
 * Everything else is passed through unchanged.
 */
final class CountedLegacyStore extends ForwardingLegacyStore {
    private static final Logger log = LoggerFactory.getLogger(CountedLegacyStore.class);

    private final UnreadableRecordsMetric metric;

    CountedLegacyStore(LegacyStore store, UnreadableRecordsMetric metric) {
        super(store);
        this.metric = Objects.requireNonNull(metric, "metric");
    }

    @Override
    public PutOutcome put(LegacyRecord record) {
        try {
            return super.put(record);
        } catch (UnreadableRecordException e) {
            throw counted(record.kind(), e);
        }
    }

    @Override
    public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
        try {
            return super.find(kind, id);
        } catch (UnreadableRecordException e) {
            throw counted(kind, e);
        }
    }

    @Override
    public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
        LegacyPage page = super.scan(kind, after, limit);
        if (!page.unreadable().isEmpty()) {
            metric.legacyUnreadable(page.unreadable().size());
        }
        return page;
    }

    private UnreadableRecordException counted(AuditKind kind, UnreadableRecordException e) {
        metric.legacyUnreadable(1);
        log.error("Legacy {} record {} cannot be read back ({}); repair or remove it in the legacy store",
                kind.pathName(), e.id(), e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        return e;
    }
}
