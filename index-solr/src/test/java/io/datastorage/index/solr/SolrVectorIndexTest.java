package io.datastorage.index.solr;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHealth;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.VectorIndexContract;
import io.datastorage.core.index.VectorIndexes;
import io.datastorage.solr.testcluster.SolrCloudForTests;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.common.cloud.DocCollection;
import org.apache.solr.common.util.ContentStreamBase;
import org.junit.jupiter.api.Test;

import org.w3c.dom.Document;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * What the SolrCloud index does beyond the contract, against the JVM's shared real SolrCloud:
 * creating and validating its collection, opening while Solr is away, pre-filtering, merging
 * shards, and its durability setting.
 */
class SolrVectorIndexTest {
    private static final int DIMENSION = 16;
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private final Random random = new Random(18);

    private static SolrCloudForTests cluster() {
        return SolrCloudForTests.shared();
    }

    private float[] unitVector() {
        return VectorIndexContract.randomUnitVector(random, DIMENSION);
    }

    private float[] near(float[] base, double noise) {
        float[] other = unitVector();
        float[] v = new float[DIMENSION];
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) (base[i] + noise * other[i]);
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIMENSION; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    private static IndexEntry entry(float[] vector, AuditKind kind) {
        UUID id = UUID.randomUUID();
        return new IndexEntry(id, vector, new IndexMetadata(kind, "prod", "Completed", T0, "c-" + id));
    }

    @Test
    void createsAnAbsentCollectionWithTheConfiguredShardsAndReplicasAndReopensIt() throws Exception {
        SolrIndexConfig config = SolrTestSupport.config(cluster(), "created", 3, 2, DIMENSION);
        try (SolrVectorIndex index = SolrVectorIndex.open(config)) {
            assertThat(index.health().up()).isTrue();
            index.upsert(List.of(entry(unitVector(), AuditKind.WORKFLOW)));
        }
        try (CloudSolrClient solr = SolrTestSupport.client(cluster())) {
            DocCollection created = solr.getClusterStateProvider().getCollection("created");
            assertThat(created.getConfigName()).isEqualTo("datastorage-16-v1");
            assertThat(created.getSlices()).hasSize(3);
            assertThat(created.getSlices()).allSatisfy(slice -> assertThat(slice.getReplicas()).hasSize(2));
        }
        try (SolrVectorIndex again = SolrVectorIndex.open(config)) {
            again.refresh();
            assertThat(again.count()).as("an existing collection is kept, not recreated").isEqualTo(1);
        }
    }

    @Test
    void anExistingCollectionOfAnotherDimensionStopsStartUpNamingBothSides() {
        SolrVectorIndex.open(SolrTestSupport.config(cluster(), "dimension8", 1, 1, 8)).close();

        assertThatThrownBy(() -> SolrVectorIndex.open(SolrTestSupport.config(cluster(), "dimension8", 1, 1, DIMENSION)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("collection 'dimension8'").hasMessageContaining("field 'vector'")
                .hasMessageContaining("vectorDimension 8").hasMessageContaining("vectorDimension 16");
    }

    @Test
    void anExistingCollectionWithAnotherSimilarityStopsStartUpNamingBothSides() throws Exception {
        createWithSchema("dotproduct", schema -> schema.replace("similarityFunction=\"cosine\"",
                "similarityFunction=\"dot_product\""));

        assertThatThrownBy(() -> SolrVectorIndex.open(SolrTestSupport.config(cluster(), "dotproduct", 1, 1, DIMENSION)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("collection 'dotproduct'").hasMessageContaining("field 'vector'")
                .hasMessageContaining("similarityFunction dot_product").hasMessageContaining("similarityFunction cosine");
    }

    @Test
    void anExistingCollectionMissingAFieldOrWithAFieldOfAnotherTypeStopsStartUp() throws Exception {
        createWithSchema("nowrittenat", schema -> schema.replaceAll("(?m)^.*<field name=\"written_at\".*$", ""));
        createWithSchema("datecreated", schema -> schema.replace(
                "<field name=\"created_at\" type=\"plong\"", "<field name=\"created_at\" type=\"pdate\"")
                .replace("<fieldType name=\"plong\"", "<fieldType name=\"pdate\" class=\"solr.DatePointField\" docValues=\"true\"/>\n  <fieldType name=\"plong\""));

        assertThatThrownBy(() -> SolrVectorIndex.open(SolrTestSupport.config(cluster(), "nowrittenat", 1, 1, DIMENSION)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("collection 'nowrittenat'").hasMessageContaining("field 'written_at'")
                .hasMessageContaining("no such field").hasMessageContaining("solr.LongPointField");
        assertThatThrownBy(() -> SolrVectorIndex.open(SolrTestSupport.config(cluster(), "datecreated", 1, 1, DIMENSION)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("collection 'datecreated'").hasMessageContaining("field 'created_at'")
                .hasMessageContaining("solr.DatePointField").hasMessageContaining("solr.LongPointField");
    }

    /** A collection made from the shipped configset with its schema edited. */
    private static void createWithSchema(String collection, UnaryOperator<String> edit) throws Exception {
        Map<String, String> files = new LinkedHashMap<>(SolrConfigset.files(DIMENSION));
        files.put("schema.xml", edit.apply(files.get("schema.xml")));
        try (CloudSolrClient solr = SolrTestSupport.client(cluster())) {
            new ConfigSetAdminRequest.Upload().setConfigSetName(collection)
                    .setUploadStream(new ContentStreamBase.ByteArrayStream(SolrConfigset.zip(files), collection + ".zip",
                            "application/octet-stream"))
                    .process(solr);
            CollectionAdminRequest.Create create = CollectionAdminRequest.createCollection(collection, collection, 1, 1);
            create.setWaitForFinalState(true);
            create.process(solr);
        }
    }

    @Test
    void opensWhileSolrIsUnreachableReportsItDownAndPreparesTheCollectionOnceSolrAnswers() throws Exception {
        int port = TcpForwarder.freePort();
        SolrIndexConfig config = new SolrIndexConfig(List.of(URI.create("http://127.0.0.1:" + port + "/solr")), "late",
                2, 1, DIMENSION, Duration.ofSeconds(5));
        try (SolrVectorIndex index = SolrVectorIndex.open(config)) {
            IndexHealth health = index.health();
            assertThat(health.up()).isFalse();
            assertThat(health.detail()).contains("'late'").contains("cannot be reached");
            assertThatThrownBy(index::count).isInstanceOf(IndexUnavailableException.class);
            assertThatThrownBy(() -> index.upsert(List.of(entry(unitVector(), AuditKind.WORKFLOW))))
                    .isInstanceOf(IndexUnavailableException.class);

            int solrPort = URI.create(cluster().solrUrls().getFirst()).getPort();
            try (TcpForwarder ignored = TcpForwarder.start(port, solrPort)) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> index.health().up());
                IndexEntry written = entry(unitVector(), AuditKind.WORKFLOW);
                index.upsert(List.of(written));
                index.refresh();
                assertThat(index.search(written.vector(), 1, IndexFilter.NONE)).extracting(IndexHit::id)
                        .containsExactly(written.id());
            }
        }
    }

    /** A running service cannot stop itself: a mismatch found once Solr answers keeps the index unavailable, saying why. */
    @Test
    void aMismatchFoundOnceSolrAnswersKeepsTheIndexUnavailableWithTheMismatch() throws Exception {
        SolrVectorIndex.open(SolrTestSupport.config(cluster(), "laterdimension8", 1, 1, 8)).close();
        int port = TcpForwarder.freePort();
        SolrIndexConfig config = new SolrIndexConfig(List.of(URI.create("http://127.0.0.1:" + port + "/solr")),
                "laterdimension8", 1, 1, DIMENSION, Duration.ofSeconds(5));
        try (SolrVectorIndex index = SolrVectorIndex.open(config);
             TcpForwarder ignored = TcpForwarder.start(port, URI.create(cluster().solrUrls().getFirst()).getPort())) {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> index.health().detail().contains("does not match"));
            assertThat(index.health().up()).isFalse();
            assertThat(index.health().detail()).contains("vectorDimension 8").contains("vectorDimension 16");
            assertThatThrownBy(() -> index.search(unitVector(), 1, IndexFilter.NONE))
                    .isInstanceOf(IndexUnavailableException.class).hasMessageContaining("vectorDimension 8");
        }
    }

    /**
     * The 3,000 vectors nearest the query belong to records the filter excludes; 20 far ones
     * match. Solr applies the filter before the graph search (the keys of the matching records'
     * vectors pre-filter the kNN query), so the 10 best matching come back, on 2 shards; with the
     * selective bound at 0 the broad path (kNN over all vectors, doubling) finds the same.
     */
    @Test
    void aFilterMatchingFewRecordsStillReturnsKHitsWhenTheNearestVectorsAreAllExcluded() {
        SolrIndexConfig config = SolrTestSupport.config(cluster(), "prefilter", 2, 1, DIMENSION);
        try (SolrVectorIndex index = SolrVectorIndex.open(config);
             SolrVectorIndex broad = SolrVectorIndex.open(config, 0)) {
            SolrTestSupport.clear(cluster(), "prefilter");
            float[] query = unitVector();
            List<IndexEntry> entries = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                entries.add(entry(near(query, 0.05), AuditKind.EXECUTION));
            }
            List<IndexEntry> matching = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                matching.add(entry(near(query, 3.0), AuditKind.REMEDIATION));
            }
            entries.addAll(matching);
            index.upsert(entries);
            index.refresh();
            IndexFilter remediation = new IndexFilter(Set.of(AuditKind.REMEDIATION), null, null, null, null);
            List<UUID> best = matching.stream()
                    .sorted(Comparator.comparingDouble((IndexEntry e) -> -VectorIndexes.cosine(query, e.vector())))
                    .limit(10).map(IndexEntry::id).toList();

            for (SolrVectorIndex searched : List.of(index, broad)) {
                List<IndexHit> hits = searched.search(query, 10, remediation);
                assertThat(hits).extracting(IndexHit::id).containsExactlyElementsOf(best);
            }
        }
    }

    /** Each shard answers with its own top t; the index asks for t and keeps the global best, exactly as a brute-force scan ranks them. */
    @Test
    void hitsAreTheGlobalTopKAcrossShards() {
        SolrIndexConfig config = SolrTestSupport.config(cluster(), "topk", 2, 1, DIMENSION);
        try (SolrVectorIndex index = SolrVectorIndex.open(config)) {
            SolrTestSupport.clear(cluster(), "topk");
            List<IndexEntry> entries = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                entries.add(entry(unitVector(), AuditKind.WORKFLOW));
            }
            index.upsert(entries);
            index.refresh();

            for (int q = 0; q < 10; q++) {
                float[] query = unitVector();
                List<IndexHit> hits = index.search(query, 10, IndexFilter.NONE);
                List<UUID> exact = entries.stream()
                        .sorted(Comparator.comparingDouble((IndexEntry e) -> -VectorIndexes.cosine(query, e.vector())))
                        .limit(10).map(IndexEntry::id).toList();
                assertThat(hits).extracting(IndexHit::id).containsExactlyElementsOf(exact);
                for (IndexHit hit : hits) {
                    IndexEntry e = entries.stream().filter(x -> x.id().equals(hit.id())).findFirst().orElseThrow();
                    assertThat(hit.score()).isCloseTo(VectorIndexes.cosine(query, e.vector()), within(1e-4));
                }
            }
        }
    }

    /**
     * Solr's default syncLevel, FLUSH, does not fsync the transaction log: a machine crash could
     * lose updates Solr had acknowledged. The configuration the collection runs on (read back from
     * ZooKeeper through Solr; the Config API does not show the update log) says FSYNC, and the
     * commit settings the visibility rests on are live (Config API).
     */
    @Test
    void theTransactionLogIsFsyncedSoAMachineCrashLosesNoAcknowledgedUpsert() throws Exception {
        SolrVectorIndex.open(SolrTestSupport.config(cluster(), "durable", 1, 1, DIMENSION)).close();
        String coreUrl;
        String configName;
        try (CloudSolrClient solr = SolrTestSupport.client(cluster())) {
            DocCollection collection = solr.getClusterStateProvider().getCollection("durable");
            coreUrl = collection.getReplicas().getFirst().getCoreUrl().replaceAll("/$", "");
            configName = collection.getConfigName();
        }
        String node = cluster().solrUrls().getFirst();
        String stored = get(node.substring(0, node.length() - "/solr".length()) + "/api/cluster/zookeeper/data/configs/"
                + configName + "/solrconfig.xml");
        Document solrconfig = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(stored)));
        assertThat(XPathFactory.newInstance().newXPath()
                .evaluate("/config/updateHandler/updateLog/str[@name='syncLevel']", solrconfig)).isEqualTo("FSYNC");

        // Asked of the node holding the core: a node that has to proxy the Config API's request fails.
        String live = get(coreUrl + "/config/updateHandler?wt=json").replaceAll("\\s", "");
        assertThat(live).containsPattern("\"autoSoftCommit\":\\{[^}]*\"maxTime\":500[,}]")
                .containsPattern("\"autoCommit\":\\{[^}]*\"openSearcher\":false");
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", url, response.body()).isEqualTo(200);
        return response.body();
    }
}
