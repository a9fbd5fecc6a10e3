package io.datastorage.server.index;

import io.datastorage.core.job.BackgroundJob;
import io.datastorage.core.reconcile.ReconcileJob;
import io.datastorage.server.config.DatabaseRecovered;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * When the index's catch-up and the follow-up reconciliation run. Once the service is ready, the
 * catch-up ({@link io.datastorage.core.repair.IndexCatchUpJob}) replays into the index what it may
 * have lost in a crash, then a reconciliation checks the whole index for what no replay window
 * covers.
 *
 * <p>When the embedded PostgreSQL comes back after a crash, a reconciliation runs at once: a write
 * whose connection broke during its commit was answered 503 and its vector deleted, yet its commit
 * may have reached the WAL; the reconciliation indexes such records seconds after the recovery
 * instead of at the next periodic run.
 */
public class IndexCatchUp {
    private static final Logger log = LoggerFactory.getLogger(IndexCatchUp.class);

    private final BackgroundJob catchUp;
    private final ReconcileJob reconcile;

    public IndexCatchUp(BackgroundJob catchUp, ReconcileJob reconcile) {
        this.catchUp = catchUp;
        this.reconcile = reconcile;
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        Thread.ofVirtual().name("index-catch-up").start(() -> {
            try {
                catchUp.runOnce();
            } catch (RuntimeException e) {
                // Logged by the catch-up; the reconciliation below covers the rest.
            }
            try {
                reconcile.run();
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
}
