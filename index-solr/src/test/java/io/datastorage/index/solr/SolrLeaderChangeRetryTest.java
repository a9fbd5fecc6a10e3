package io.datastorage.index.solr;

import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.common.util.NamedList;
import org.apache.solr.common.SolrException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which failures the index tries again at once: a live node's 500/503 while a shard changes leaders; never a 4xx
 * (the request itself is wrong), a timeout (a hung node would hold each write for several timeouts), nor a node
 * that cannot be reached. The retry's effect under a real node stop is in the cluster test that stops one Solr node.
 */
class SolrLeaderChangeRetryTest {

    @Test
    void aServerErrorWhileLeadersChangePassesOnRetry() {
        assertThat(SolrVectorIndex.passesOnRetry(new SolrException(SolrException.ErrorCode.SERVER_ERROR,
                "Async exception during distributed update: Connection refused"))).isTrue();
        assertThat(SolrVectorIndex.passesOnRetry(new SolrException(SolrException.ErrorCode.SERVICE_UNAVAILABLE,
                "no servers hosting shard"))).isTrue();
    }

    /** With every node down each retry would only lengthen every write until the circuit breaker opens. */
    @Test
    void aNodeThatCannotBeReachedIsNotTriedAgainSoAClusterWithoutLiveNodesFailsFast() {
        assertThat(SolrVectorIndex.passesOnRetry(new SolrServerException(new ConnectException("Connection refused")))).isFalse();
        assertThat(SolrVectorIndex.passesOnRetry(new IOException("Connection reset"))).isFalse();
        assertThat(SolrVectorIndex.passesOnRetry(new SolrException(SolrException.ErrorCode.INVALID_STATE,
                "Could not find a healthy node to handle the request"))).isFalse();
    }

    /** The cloud client wraps an update's per-shard failures with code 500, a refused connection included. */
    @Test
    void anUpdateRoutedToAnUnreachableLeaderIsNotTriedAgainButOneEveryLeaderAnsweredWithA500Is() {
        NamedList<Throwable> refused = new NamedList<>();
        refused.add("http://127.0.0.1:1/solr/c_shard1_replica_n1", new SolrServerException(new ConnectException("Connection refused")));
        assertThat(SolrVectorIndex.passesOnRetry(new CloudSolrClient.RouteException(SolrException.ErrorCode.SERVER_ERROR,
                refused, Map.of()))).isFalse();

        NamedList<Throwable> electing = new NamedList<>();
        electing.add("http://127.0.0.1:2/solr/c_shard1_replica_n1", new SolrException(SolrException.ErrorCode.SERVER_ERROR,
                "Async exception during distributed update"));
        assertThat(SolrVectorIndex.passesOnRetry(new CloudSolrClient.RouteException(SolrException.ErrorCode.SERVER_ERROR,
                electing, Map.of()))).isTrue();
    }

    @Test
    void aWrongRequestIsNotTriedAgain() {
        assertThat(SolrVectorIndex.passesOnRetry(new SolrException(SolrException.ErrorCode.BAD_REQUEST, "undefined field"))).isFalse();
    }

    @Test
    void aTimeoutIsNotTriedAgainSoAHungNodeHoldsAWriteOneTimeoutOnly() {
        assertThat(SolrVectorIndex.passesOnRetry(new SolrServerException("Timeout occurred while waiting response",
                new HttpTimeoutException("request timed out")))).isFalse();
    }
}
