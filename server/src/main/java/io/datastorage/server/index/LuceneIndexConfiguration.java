package io.datastorage.server.index;

import io.datastorage.index.lucene.LuceneIndexConfig;
import io.datastorage.index.lucene.LuceneVectorIndex;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** {@code datastorage.index.type=lucene} (the default): the embedded Lucene index under {@code data-dir/index}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "datastorage.index.type", havingValue = "lucene", matchIfMissing = true)
@Import(IndexedWritesConfiguration.class)
public class LuceneIndexConfiguration {
    private static final Logger log = LoggerFactory.getLogger(LuceneIndexConfiguration.class);

    /** The index itself. Tests may wrap it in a {@code @Primary} index. */
    @Bean(destroyMethod = "close")
    LuceneVectorIndex luceneIndex(DatastorageProperties properties) {
        DatastorageProperties.Index settings = properties.index();
        if (settings.commitInterval() != null) {
            log.warn("datastorage.index.commit-interval (DATASTORAGE_INDEX_COMMIT_INTERVAL) is deprecated{}; "
                            + "set datastorage.index.lucene.commit-interval (DATASTORAGE_INDEX_LUCENE_COMMIT_INTERVAL) instead",
                    settings.lucene().commitInterval() != null
                            ? " and ignored, because datastorage.index.lucene.commit-interval is set too" : "");
        }
        LuceneIndexConfig config = properties.lucene();
        LuceneVectorIndex index = config.open();
        log.info("Vector index: Lucene HNSW in {} ({} entries, durable as of {})", config.directory(),
                index.count(), index.recoveredAsOf().map(Object::toString).orElse("never"));
        return index;
    }
}
