package io.datastorage.server;

import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.WriteOrder;
import io.datastorage.core.index.IndexHealth;
import io.datastorage.index.solr.SolrVectorIndex;
import io.datastorage.solr.testcluster.SolrCloudForTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code datastorage.index.type=solr} against a real SolrCloud (the shared 2-node test cluster, a
 * collection of this test's own): the service creates the collection, stores and indexes a record,
 * reads it back, finds it by meaning, and is alive and ready with the index up and named; the
 * collection has the configured shards and replicas.
 */
class SolrIndexWiringTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static SolrCloudForTests solr;
    static String collection;
    static RunningService service;

    @BeforeAll
    static void start() {
        solr = SolrCloudForTests.shared();
        collection = "wiring-" + UUID.randomUUID().toString().substring(0, 8);
        service = RunningService.start(RunningService.newDataDir(), "--datastorage.index.type=solr",
                "--datastorage.index.solr.urls=" + String.join(",", solr.solrUrls()),
                "--datastorage.index.solr.collection=" + collection, "--datastorage.index.solr.shards=3",
                "--datastorage.index.solr.replication-factor=1");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static String analysis(String name, String rootCause) {
        return JSON.writeValueAsString(Map.of("name", name, "namespace", "solr-wiring", "phase", "Completed",
                "createdAt", "2026-11-15T03:00:00Z", "correlationId", "corr-" + name, "rootCause", rootCause,
                "recommendedAction", "look into it", "confidence", 0.8, "model", "gpt"));
    }

    private static JsonNode json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    @Test
    void storesReadsAndFindsARecordThroughSolr() {
        JsonNode oom = json(service.postJson("/api/v1/audit/aianalysis", analysis("oom",
                "The container was killed because it exceeded its memory limit")), 201);
        json(service.postJson("/api/v1/audit/aianalysis", analysis("dns",
                "DNS lookups fail intermittently because CoreDNS is overloaded")), 201);
        String id = oom.get("id").asString();

        assertThat(oom.get("vectorIndexed").asBoolean()).isTrue();
        JsonNode byId = json(service.get("/api/v1/audit/aianalysis/" + id), 200);
        assertThat(byId.get("name").asString()).isEqualTo("oom");
        assertThat(byId.get("vectorIndexed").asBoolean()).isTrue();
        // Solr makes new documents searchable at its next soft commit (within a second).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode found = json(service.postJson("/api/v1/audit/search",
                    "{\"query\":\"pod ran out of memory\",\"namespace\":\"solr-wiring\",\"topK\":1}"), 200);
            assertThat(found.get("degraded").asBoolean()).isFalse();
            assertThat(found.get("results")).hasSize(1);
            assertThat(found.get("results").get(0).get("record").get("id").asString()).isEqualTo(id);
        });
    }

    @Test
    void isAliveAndReadyWithTheIndexUpNamingItsCollection() {
        assertThat(service.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(service.get("/readyz").statusCode()).isEqualTo(200);

        IndexHealth health = service.context().getBean(SolrVectorIndex.class).health();
        assertThat(health.up()).as(health.detail()).isTrue();
        assertThat(health.detail()).contains(collection);
    }

    @Test
    void createsTheCollectionWithTheConfiguredShardsAndReplicas() {
        // Solr's own answer, over its Collections API.
        JsonNode status = json(service.get(java.net.URI.create(solr.solrUrls().getFirst()
                + "/admin/collections?action=CLUSTERSTATUS&wt=json&collection=" + collection)), 200);
        JsonNode shards = status.get("cluster").get("collections").get(collection).get("shards");

        assertThat(shards.size()).isEqualTo(3);
        shards.forEach(shard -> assertThat(shard.get("replicas").size()).isEqualTo(1));
    }

    @Test
    void writesCommitTheRecordsBeforeTheRemoteIndexCall() {
        assertThat(service.context().getBean(DualWriteCoordinator.class).writeOrder())
                .isEqualTo(WriteOrder.COMMIT_THEN_INDEX);
    }
}
