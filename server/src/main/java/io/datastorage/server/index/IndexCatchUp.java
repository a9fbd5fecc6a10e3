package io.datastorage.server.index;

import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.server.config.DatabaseRecovered;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

import java.time.Instant;
import java.util.List;

/**
 * After a restart, puts back into the index what it may have lost in a crash: the records marked
 * indexed that arrived since the index's last durable commit before the restart (less a margin for
 * writes that were in flight). Upserts are idempotent, so replaying a few too many costs nothing.
 * An index that was never committed gets every indexed record. Then a reconciliation checks the
 * whole index, for what no replay window covers (a crash during an earlier catch-up, an index
 * restored from an older copy).
 *
 * <p>When the embedded PostgreSQL comes back after a crash, a reconciliation runs at once: a write
 * whose connection broke during its commit was answered 503 and its vector deleted, yet its commit
 * may have reached the WAL; the reconciliation indexes such records seconds after the recovery
 * instead of at the next periodic run.
 */
public class IndexCatchUp {
    private static final Logger log = LoggerFactory.getLogger(IndexCatchUp.class);
    private static final int PAGE = 500;

    private final AuditStore store;
    private final VectorIndex index;
    private final DatastorageProperties.Index settings;
    private final ReconcileService reconcile;

    public IndexCatchUp(AuditStore store, VectorIndex index, DatastorageProperties properties, ReconcileService reconcile) {
        this.store = store;
        this.index = index;
        this.settings = properties.index();
        this.reconcile = reconcile;
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        Thread.ofVirtual().name("index-catch-up").start(() -> {
            run();
            try {
                reconcile.reconcile();
            } catch (RuntimeException e) {
                // Logged by the reconciliation; the periodic runs go on.
            }
        });
    }

    @EventListener(DatabaseRecovered.class)
    void onDatabaseRecovered(DatabaseRecovered recovered) {
        log.info("PostgreSQL recovered after {} ms; reconciling the vector index with it", recovered.downtime().toMillis());
        reconcile.start();
    }

    /** Replays; returns how many records were written into the index. */
    long run() {
        Instant since = index.crashRecovery().flatMap(recovery -> recovery.recoveredAsOf()).map(t -> t.minus(settings.catchUpMargin())).orElse(Instant.EPOCH);
        long started = System.nanoTime();
        long count = 0;
        try {
            IndexableRecord after = null;
            for (List<IndexableRecord> page = store.indexedSince(since, null, PAGE); !page.isEmpty();
                 page = store.indexedSince(since, after, PAGE)) {
                index.upsert(page.stream().map(IndexableRecord::toEntry).toList());
                count += page.size();
                after = page.getLast();
            }
            log.info("Index catch-up replayed {} record(s) received since {} in {} ms", count, since,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            log.warn("Index catch-up stopped after {} record(s); the repair and reconcile paths cover the rest", count, e);
        }
        return count;
    }
}
