package io.datastorage.server.index;

import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.store.IndexBacklog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the write path reports whatever the index: the dual-write metrics and the index backlog.
 * The index itself comes from the configuration class of {@code datastorage.index.type}, each
 * chosen by {@code @ConditionalOnProperty}: {@link LuceneIndexConfiguration} ({@code lucene}, the
 * default), {@link SolrIndexConfiguration} ({@code solr}) or {@link NoIndexConfiguration} ({@code none}).
 */
@Configuration(proxyBeanMethods = false)
public class IndexConfiguration {

    /** The dual-write metrics, and the gauges of the records waiting for the index. */
    @Bean
    DualWriteListener dualWriteListener(IndexBacklog store, MeterRegistry registry, Clock clock) {
        Gauge.builder("datastorage.index.pending", store, IndexBacklog::countPendingIndex)
                .description("Stored records whose vector is not in the index yet").register(registry);
        Gauge.builder("datastorage.index.lag", store, s -> s.oldestPendingIndex()
                        .map(oldest -> Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0)).orElse(0.0))
                .description("How long the record waiting longest for its vector to be indexed has waited (0: none waits)")
                .baseUnit("seconds").register(registry);
        return new MeteredListener(registry);
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
