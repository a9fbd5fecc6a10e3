package io.datastorage.server.index;

import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.store.RecordStore;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code datastorage.index.type=none}: the service runs without a vector index. Records are written
 * to PostgreSQL only, with their indexing pending ({@code datastorage_index_pending} counts them),
 * so that switching to an index later indexes them through its repair worker. Searches are the
 * degraded exact scan of PostgreSQL, bounded by {@code datastorage.search.degraded-max-scan}, and
 * say {@code degraded: true}. There is no repair worker, catch-up or reconciliation, and readiness
 * never depended on an index.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "datastorage.index.type", havingValue = "none")
public class NoIndexConfiguration {
    private static final Logger log = LoggerFactory.getLogger(NoIndexConfiguration.class);

    @Bean
    VectorIndex noVectorIndex(DatastorageProperties properties) {
        log.warn("No vector index (datastorage.index.type=none): records are stored in PostgreSQL only and every "
                + "search compares the newest {} matching records exactly", properties.search().degradedMaxScan());
        return new NoVectorIndex(properties.embedding().dimension());
    }

    @Bean
    DualWriteCoordinator storeOnlyCoordinator(RecordStore store, DualWriteListener listener) {
        return DualWriteCoordinator.storeOnly(store, listener);
    }
}
