package io.datastorage.server.index;

import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.reconcile.Reconciler;
import io.datastorage.core.store.AuditStore;
import io.datastorage.index.lucene.LuceneVectorIndex;
import io.datastorage.server.config.DatastorageProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** The vector index, the guard around it, the dual-write coordinator and reconciliation, with their metrics. */
@Configuration(proxyBeanMethods = false)
public class IndexConfiguration {
    private static final Logger log = LoggerFactory.getLogger(IndexConfiguration.class);

    /** The embedded Lucene index under {@code data-dir/index}. Tests may wrap it in a {@code @Primary} index. */
    @Bean(destroyMethod = "close")
    LuceneVectorIndex luceneIndex(DatastorageProperties properties) {
        LuceneVectorIndex index = LuceneVectorIndex.open(properties.dataDir().resolve("index"),
                properties.embedding().dimension(), properties.index().commitInterval());
        log.info("Vector index: Lucene HNSW in {} ({} entries, durable as of {})", properties.dataDir().resolve("index"),
                index.count(), index.recoveredAsOf().map(Object::toString).orElse("never"));
        return index;
    }

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
    DualWriteCoordinator dualWriteCoordinator(AuditStore store, GuardedIndex index, InFlightWrites inFlight,
                                              DatastorageProperties properties, MeterRegistry registry, Clock clock) {
        Gauge.builder("datastorage.index.pending", store, AuditStore::countPendingIndex)
                .description("Stored records whose vector is not in the index yet").register(registry);
        Gauge.builder("datastorage.index.lag", store, s -> s.oldestPendingIndex()
                        .map(oldest -> Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0)).orElse(0.0))
                .description("How long the record waiting longest for its vector to be indexed has waited (0: none waits)")
                .baseUnit("seconds").register(registry);
        DualWriteCoordinator.Mode mode = DualWriteCoordinator.Mode.valueOf(properties.index().mode().name());
        return new DualWriteCoordinator(store, index, mode, new MeteredListener(registry), inFlight);
    }

    /** Reconciliation reads the index directly: a failing index fails the run, which the next run repeats. */
    @Bean(destroyMethod = "close")
    ReconcileService reconcileService(AuditStore store, VectorIndex index, InFlightWrites inFlight,
                                      DatastorageProperties properties, MeterRegistry registry, Clock clock) {
        Reconciler reconciler = new Reconciler(store, index, inFlight, Reconciler.DEFAULT_BITS,
                properties.index().repairBatchSize(), clock);
        return new ReconcileService(reconciler, registry);
    }

    /** The seed design's dual-write metrics; reason labels come from a closed enum. */
    static final class MeteredListener implements DualWriteListener {
        private final Counter success;
        private final Counter fallback;
        private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);

        MeteredListener(MeterRegistry registry) {
            success = Counter.builder("datastorage.dualwrite.success")
                    .description("Records committed with their vector indexed").register(registry);
            fallback = Counter.builder("datastorage.fallback.mode")
                    .description("Records committed with indexing pending because the index failed").register(registry);
            for (FailureReason reason : FailureReason.values()) {
                failures.put(reason, Counter.builder("datastorage.dualwrite.failure").tag("reason", reason.label())
                        .description("Dual-writes that failed, by reason").register(registry));
            }
        }

        @Override
        public void succeeded(int records) {
            success.increment(records);
        }

        @Override
        public void failed(FailureReason reason) {
            failures.get(reason).increment();
        }

        @Override
        public void fellBack(int records) {
            fallback.increment(records);
        }
    }
}
