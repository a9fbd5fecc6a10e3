package io.datastorage.server.index;

import io.datastorage.index.solr.SolrIndexConfig;
import io.datastorage.index.solr.SolrVectorIndex;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * {@code datastorage.index.type=solr}: the vectors live in a SolrCloud collection that every
 * replica shares (the cluster shape), reached through {@code datastorage.index.solr.urls}. Its
 * vectors have the embedder's dimension ({@code datastorage.embedding.dimension}).
 *
 * <p>The index is remote, so {@code datastorage.index.write-order=auto} commits the records before
 * the network call ({@code commit-then-index}, in fallback mode), and the background jobs run under
 * leases in PostgreSQL even with the embedded database. A Solr that cannot be reached at start-up
 * does not stop it: the index reports itself down, writes are stored with their indexing pending
 * and searches are degraded until it answers.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "datastorage.index.type", havingValue = "solr")
@Import(IndexedWritesConfiguration.class)
public class SolrIndexConfiguration {
    private static final Logger log = LoggerFactory.getLogger(SolrIndexConfiguration.class);

    /** The index itself: creates the collection when absent, checks an existing one. */
    @Bean(destroyMethod = "close")
    SolrVectorIndex solrIndex(DatastorageProperties properties) {
        SolrIndexConfig config = properties.solr();
        if (properties.db().embedded()) {
            log.warn("The SolrCloud index is shared by replicas, but the database is the embedded PostgreSQL of "
                    + "this process: fine for trying Solr on one machine; replicas need an external one "
                    + "(datastorage.db.url, DATASTORAGE_DB_URL)");
        }
        SolrVectorIndex index = SolrVectorIndex.open(config);
        log.info("Vector index: SolrCloud collection {} through {} ({} shard(s) x {} replica(s) when created here, "
                        + "{} dimensions, timeout {} ms)", config.collection(), config.solrUrls(), config.shards(),
                config.replicationFactor(), config.dimension(), config.timeout().toMillis());
        return index;
    }
}
