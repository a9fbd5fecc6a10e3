package io.datastorage.server.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyHealth;
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
final class CountedLegacyStore implements LegacyStore {
    private static final Logger log = LoggerFactory.getLogger(CountedLegacyStore.class);

    private final LegacyStore store;
    private final UnreadableRecordsMetric metric;

    CountedLegacyStore(LegacyStore store, UnreadableRecordsMetric metric) {
        this.store = Objects.requireNonNull(store, "store");
        this.metric = Objects.requireNonNull(metric, "metric");
    }

    @Override
    public PutOutcome put(LegacyRecord record) {
        try {
            return store.put(record);
        } catch (UnreadableRecordException e) {
            throw counted(record.kind(), e);
        }
    }

    @Override
    public boolean remove(AuditKind kind, UUID id) {
        return store.remove(kind, id);
    }

    @Override
    public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
        try {
            return store.find(kind, id);
        } catch (UnreadableRecordException e) {
            throw counted(kind, e);
        }
    }

    @Override
    public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
        LegacyPage page = store.scan(kind, after, limit);
        if (!page.unreadable().isEmpty()) {
            metric.legacyUnreadable(page.unreadable().size());
        }
        return page;
    }

    @Override
    public long count(AuditKind kind) {
        return store.count(kind);
    }

    @Override
    public LegacyHealth health() {
        return store.health();
    }

    @Override
    public void close() {
        store.close();
    }

    private UnreadableRecordException counted(AuditKind kind, UnreadableRecordException e) {
        metric.legacyUnreadable(1);
        log.error("Legacy {} record {} cannot be read back ({}); repair or remove it in the legacy store",
                kind.pathName(), e.id(), e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        return e;
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
