package io.datastorage.index.solr;

import io.datastorage.solr.testcluster.SolrCloudForTests;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.HttpJdkSolrClient;
import org.apache.solr.client.solrj.request.UpdateRequest;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/** Collections on a real SolrCloud for the tests, and a plain SolrJ client to inspect or clear them. */
final class SolrTestSupport {
    private SolrTestSupport() {
    }

    static SolrIndexConfig config(SolrCloudForTests cluster, String collection, int shards, int replicas, int dimension) {
        return new SolrIndexConfig(cluster.solrUrls().stream().map(URI::create).toList(), collection, shards, replicas,
                dimension, Duration.ofSeconds(30));
    }

    static CloudSolrClient client(SolrCloudForTests cluster) {
        return new CloudSolrClient.Builder(cluster.solrUrls()).withHttpClientBuilder(new HttpJdkSolrClient.Builder()).build();
    }

    /** Empties a collection: a delete-by-query, which only tests send. */
    static void clear(SolrCloudForTests cluster, String collection) {
        try (CloudSolrClient solr = client(cluster)) {
            new UpdateRequest().deleteByQuery("*:*").process(solr, collection);
            solr.commit(collection, true, true);
        } catch (SolrServerException | IOException e) {
            throw new IllegalStateException("cannot clear collection " + collection, e);
        }
    }
}
