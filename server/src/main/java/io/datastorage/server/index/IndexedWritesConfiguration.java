package io.datastorage.server.index;

import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.job.BackgroundJob;
import io.datastorage.core.reconcile.ReconcileJob;
import io.datastorage.core.reconcile.Reconciler;
import io.datastorage.core.repair.IndexCatchUpJob;
import io.datastorage.core.repair.IndexRepairJob;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.VectorLedger;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.job.LeasedJobs;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;

import java.time.Clock;
import java.time.Duration;

/**
 * What every real vector index gets, whichever backend it is: the guard around it, the dual-write
 * coordinator, reconciliation, the repair worker and the start-up catch-up. Imported by each index
 * type's configuration class ({@link LuceneIndexConfiguration}, {@link SolrIndexConfiguration}); not a {@code @Configuration}, so
 * that component scanning leaves it alone and {@code datastorage.index.type=none} gets none of it.
 */
class IndexedWritesConfiguration {

    @Bean
    GuardedIndex guardedIndex(VectorIndex index, DatastorageProperties properties) {
        DatastorageProperties.Index settings = properties.index();
        return GuardedIndex.of(index, settings.attempts(), Duration.ofMillis(50), settings.openFor());
    }

    @Bean
    InFlightWrites inFlightWrites() {
        return new InFlightWrites();
    }

    @Bean
    DualWriteCoordinator dualWriteCoordinator(RecordStore store, IndexBacklog backlog, GuardedIndex index,
                                              InFlightWrites inFlight, DatastorageProperties properties,
                                              DualWriteListener listener) {
        DualWriteCoordinator.Mode mode = DualWriteCoordinator.Mode.valueOf(properties.index().mode().name());
        return new DualWriteCoordinator(store, index, mode, listener, inFlight)
                .withWriteOrder(properties.index().writeOrder(), backlog);
    }

    /** Reconciliation reads the index directly: a failing index fails the run, which the next run repeats. */
    @Bean(destroyMethod = "close")
    ReconcileService reconcileService(VectorLedger ledger, IndexBacklog backlog, VectorIndex index,
                                      InFlightWrites inFlight, DatastorageProperties properties,
                                      MeterRegistry registry, Clock clock, LeasedJobs leased) {
        Reconciler reconciler = new Reconciler(ledger, backlog, index, inFlight, Reconciler.DEFAULT_BITS,
                properties.index().repairBatchSize(), properties.index().reconcileGrace(), clock);
        return new ReconcileService(reconciler, registry, clock, leased);
    }

    /** The reconciliation's logic, for those who ask for a run (the admin API, the catch-up). */
    @Bean
    ReconcileJob reconcileJob(ReconcileService service) {
        return service.job();
    }

    // Each scheduled job is built here and runs under its lease (LeasedJobs), so that of several replicas one runs it.

    @Bean
    IndexRepairWorker indexRepairWorker(IndexBacklog store, GuardedIndex index, DatastorageProperties properties,
                                        LeasedJobs leased) {
        return new IndexRepairWorker(leased.leased(new IndexRepairJob(store, index, properties.index().repairBatchSize())));
    }

    @Bean
    IndexCatchUp indexCatchUp(VectorLedger store, VectorIndex index, DatastorageProperties properties, ReconcileJob reconcile,
                              LeasedJobs leased) {
        if (index.remote() && index.crashRecovery().isEmpty()) {
            // A remote index keeps what it acknowledged whatever becomes of this process: a record
            // commits with its vector acknowledged (in-transaction) or marked for the repair worker
            // (commit-then-index). The catch-up would read "no crash recovery" as "replay every
            // record", at each start of each replica.
            LoggerFactory.getLogger(IndexCatchUp.class).info("No start-up catch-up for a remote index: it keeps what "
                    + "it acknowledged; a reconciliation follows the start");
            return new IndexCatchUp(new NoCatchUp(), reconcile);
        }
        return new IndexCatchUp(leased.leased(new IndexCatchUpJob(store, index, properties.index().catchUpMargin())),
                reconcile);
    }

    /** The catch-up of a remote index: nothing to replay (the reconciliation after the start still runs). */
    private static final class NoCatchUp implements BackgroundJob {
        @Override
        public String name() {
            return "index-catch-up";
        }

        @Override
        public long runOnce() {
            return 0;
        }
    }
}
