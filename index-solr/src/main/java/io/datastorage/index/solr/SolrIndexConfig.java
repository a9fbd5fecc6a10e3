package io.datastorage.index.solr;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where the SolrCloud index lives and the collection it uses.
 *
 * @param solrUrls          base URLs of one or more Solr nodes ({@code http://host:8983/solr}); the
 *                          client learns the rest of the cluster from them (no ZooKeeper access needed)
 * @param collection        the collection's name; created at start-up when absent
 * @param shards            shards of a collection this service creates (an existing one keeps its own)
 * @param replicationFactor replicas per shard of a collection this service creates
 * @param dimension         length of every vector (the embedding model's dimension)
 * @param timeout           how long one request to Solr may take, connection included
 */
public record SolrIndexConfig(List<URI> solrUrls, String collection, int shards, int replicationFactor,
                              int dimension, Duration timeout) {
    public SolrIndexConfig {
        solrUrls = List.copyOf(solrUrls);
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(timeout, "timeout");
        if (solrUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one Solr URL is needed");
        }
        if (shards < 1 || replicationFactor < 1 || dimension < 1) {
            throw new IllegalArgumentException("shards, replicationFactor and dimension must be at least 1");
        }
    }
}
