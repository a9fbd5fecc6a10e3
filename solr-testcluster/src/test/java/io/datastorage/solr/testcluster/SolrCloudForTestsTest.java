package io.datastorage.solr.testcluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The child-JVM cluster starts, answers on every node, and stops and restarts single nodes on their ports. */
class SolrCloudForTestsTest {
    private static final Pattern LIVE_NODES = Pattern.compile("\"live_nodes\":\\[([^]]*)]");
    private static SolrCloudForTests cluster;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        cluster = SolrCloudForTests.start(2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void startsTwoNodesAndAZooKeeperAndKeepsEachNodesPortAcrossAStopAndStart() throws Exception {
        assertThat(cluster.solrUrls()).hasSize(2).allMatch(url -> url.startsWith("http://127.0.0.1:") && url.endsWith("/solr"));
        assertThat(cluster.zkHost()).startsWith("127.0.0.1:");
        assertThat(liveNodes(cluster.solrUrls().getFirst())).isEqualTo(2);

        cluster.stopNode(1);
        assertThat(liveNodes(cluster.solrUrls().getFirst())).isEqualTo(1);
        assertThatThrownBy(() -> liveNodes(cluster.solrUrls().get(1))).isInstanceOf(IOException.class);

        cluster.startNode(1);
        assertThat(liveNodes(cluster.solrUrls().get(1))).isEqualTo(2);
    }

    @Test
    void aFailedCommandSaysWhatFailed() {
        assertThatThrownBy(() -> cluster.stopNode(7)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stop 7");
    }

    private int liveNodes(String solrUrl) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create(solrUrl + "/admin/collections?action=CLUSTERSTATUS&wt=json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Matcher matcher = LIVE_NODES.matcher(response.body().replace(" ", "").replace("\n", ""));
        assertThat(matcher.find()).as(response.body()).isTrue();
        return matcher.group(1).isBlank() ? 0 : matcher.group(1).split(",").length;
    }
}
