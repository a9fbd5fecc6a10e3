package io.datastorage.index.solr;

import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.index.VectorIndexContract;
import io.datastorage.solr.testcluster.SolrCloudForTests;

/**
 * The contract suite against a real SolrCloud (the JVM's shared 2-node cluster) and one
 * collection of 2 shards x 2 replicas, emptied before each test.
 */
class SolrVectorIndexContractTest extends VectorIndexContract {
    private static final String COLLECTION = "contract";

    @Override
    protected VectorIndex newIndex(int dimension) {
        SolrCloudForTests cluster = SolrCloudForTests.shared();
        SolrVectorIndex index = SolrVectorIndex.open(SolrTestSupport.config(cluster, COLLECTION, 2, 2, dimension));
        SolrTestSupport.clear(cluster, COLLECTION);
        return index;
    }
}
