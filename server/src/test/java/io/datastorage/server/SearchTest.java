package io.datastorage.server;

import io.datastorage.core.index.VectorIndex;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Semantic search on the real service: the in-process model, the Lucene index, PostgreSQL. The
 * data set is 2,000 realistic AI analyses about other incidents, 3% of them in a rare namespace,
 * plus one about a pod killed for running out of memory.
 */
class SearchTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int RECORDS = 2000;
    private static final String RARE = "payments-eu";
    private static final String TARGET_MESSAGE = "Pod checkout-api-7f9c was OOMKilled: the container exceeded its 512Mi memory"
            + " limit during the nightly batch import and the kubelet terminated it.";
    private static final String PARAPHRASE = "the checkout service container ran out of memory and got killed";

    private static final String[] CAUSES = {
            "Certificate for ingress %s expired, TLS handshakes fail",
            "Node %s reports DiskPressure: the image cache filled the root volume",
            "Readiness probe of %s times out after the config map change",
            "DNS lookups from %s fail intermittently because CoreDNS is overloaded",
            "Deployment %s rolled out an image tag that does not exist (ImagePullBackOff)",
            "p99 latency of %s rose above 2s after a slow database query was introduced",
            "CronJob %s failed: the service account lacks permission to list secrets",
            "HorizontalPodAutoscaler for %s is stuck at max replicas because CPU requests are too low",
            "Persistent volume claim of %s is Pending: no storage class matches",
            "Network policy blocks traffic from %s to the message queue"};
    private static final String[] ACTIONS = {"renew certificate", "clean image cache", "roll back config map",
            "scale CoreDNS", "fix image tag", "add database index", "grant RBAC permission", "raise CPU requests",
            "create storage class", "allow egress"};
    private static final String[] SERVICES = {"orders", "billing", "search", "catalog", "auth", "notifications",
            "inventory", "shipping", "reviews", "gateway"};

    static RunningService service;
    static String targetId;

    @BeforeAll
    static void start() {
        service = RunningService.start(new Class<?>[]{DatastorageApplication.class, SwitchableIndexConfiguration.class},
                RunningService.newDataDir());
        Random random = new Random(2026);
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            int topic = random.nextInt(CAUSES.length);
            String svc = SERVICES[random.nextInt(SERVICES.length)] + "-" + random.nextInt(50);
            batch.add(analysis("a-" + i, i % 33 == 0 ? RARE : "prod-" + random.nextInt(5),
                    String.format(CAUSES[topic], svc), ACTIONS[topic], "2026-11-" + (10 + i % 9) + "T10:00:00Z"));
            if (batch.size() == 500) {
                post(batch);
                batch.clear();
            }
        }
        HttpResponse<String> target = service.postJson("/api/v1/audit/aianalysis", JSON.writeValueAsString(
                analysis("oom", "checkout", TARGET_MESSAGE, "raise the memory limit", "2026-11-15T03:00:00Z")));
        targetId = JSON.readTree(target.body()).get("id").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> ids(search("{\"query\":\"" + PARAPHRASE + "\"}")).contains(targetId));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static Map<String, Object> analysis(String name, String namespace, String rootCause, String action, String createdAt) {
        return Map.of("name", name, "namespace", namespace, "phase", "Completed", "createdAt", createdAt,
                "correlationId", "corr-" + name, "rootCause", rootCause, "recommendedAction", action,
                "confidence", 0.8, "model", "gpt");
    }

    private static void post(List<Map<String, Object>> batch) {
        HttpResponse<String> created = service.postJson("/api/v1/audit/aianalysis/batch", JSON.writeValueAsString(batch));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private static JsonNode search(String body) {
        HttpResponse<String> answer = service.postJson("/api/v1/audit/search", body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private static List<String> ids(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("results").forEach(r -> ids.add(r.get("record").get("id").asString()));
        return ids;
    }

    @Test
    void aParaphraseFindsItsRecordFirstAmongThousands() {
        JsonNode answer = search("{\"query\":\"" + PARAPHRASE + "\",\"topK\":5}");

        assertThat(answer.get("degraded").asBoolean()).isFalse();
        assertThat(ids(answer).getFirst()).isEqualTo(targetId);
        JsonNode first = answer.get("results").get(0);
        assertThat(first.get("record").get("rootCause").asString()).isEqualTo(TARGET_MESSAGE);
        assertThat(first.get("record").get("vectorIndexed").asBoolean()).isTrue();
        List<Double> scores = new ArrayList<>();
        answer.get("results").forEach(r -> scores.add(r.get("score").asDouble()));
        assertThat(scores).hasSize(5).isSortedAccordingTo((a, b) -> Double.compare(b, a))
                .allSatisfy(score -> assertThat(score).isBetween(0.0, 1.0));
    }

    @Test
    void filtersApplyBeforeTheTopK() {
        JsonNode answer = search("{\"query\":\"" + PARAPHRASE + "\",\"namespace\":\"" + RARE + "\",\"topK\":20,"
                + "\"kinds\":[\"aianalysis\"],\"phase\":\"Completed\",\"since\":\"2026-11-01T00:00:00Z\",\"until\":\"2026-12-01T00:00:00Z\"}");

        assertThat(answer.get("results")).hasSize(20);
        answer.get("results").forEach(r -> assertThat(r.get("record").get("namespace").asString()).isEqualTo(RARE));
        assertThat(ids(search("{\"query\":\"" + PARAPHRASE + "\",\"kinds\":[\"workflow\"]}"))).isEmpty();
    }

    @Test
    void leavesOutResultsBelowTheMinimumScore() {
        JsonNode all = search("{\"query\":\"" + PARAPHRASE + "\",\"topK\":50}");
        double cut = all.get("results").get(10).get("score").asDouble();

        JsonNode answer = search("{\"query\":\"" + PARAPHRASE + "\",\"topK\":50,\"minScore\":" + cut + "}");

        assertThat(answer.get("results").size()).isBetween(1, 11);
        answer.get("results").forEach(r -> assertThat(r.get("score").asDouble()).isGreaterThanOrEqualTo(cut));
    }

    @Test
    void searchesByVectorTooAndFindsTheBestMatchWithTopKOfOne() {
        assertThat(ids(search("{\"query\":\"" + PARAPHRASE + "\",\"topK\":1}"))).containsExactly(targetId);
        float[] vector = service.context().getBean(VectorIndex.class).get(UUID.fromString(targetId)).orElseThrow().vector();

        JsonNode byVector = search(JSON.writeValueAsString(Map.of("vector", vector, "topK", 1)));

        assertThat(ids(byVector)).containsExactly(targetId);
        assertThat(byVector.get("results").get(0).get("score").asDouble()).isGreaterThan(0.999);
    }

    /**
     * Only a vector's direction matters to a cosine score. The index computes in floats, where the
     * squares of 1e-23 vanish and those of 1e20 overflow: such vectors scored every record 1.0 or
     * 0.0, or found fewer than topK (found by a tester; issue 13, kind 1). Scaled to unit length
     * first, every multiple of the record's vector finds the record first with the same score.
     */
    @ParameterizedTest(name = "vector × {0}")
    @ValueSource(doubles = {1e-44, 1e-30, 1e-23, 1e-3, 1, 1e18, 1e30, 1e38, 3e38})
    void aVectorScoresByItsDirectionWhateverItsLength(double scale) {
        float[] vector = service.context().getBean(VectorIndex.class).get(UUID.fromString(targetId)).orElseThrow().vector();
        double[] scaled = new double[vector.length];
        for (int i = 0; i < vector.length; i++) {
            scaled[i] = vector[i] * scale;
        }

        JsonNode answer = search(JSON.writeValueAsString(Map.of("vector", scaled, "topK", 3)));

        assertThat(ids(answer)).hasSize(3).first().isEqualTo(targetId);
        assertThat(answer.get("results").get(0).get("score").asDouble()).isGreaterThan(0.999);
        assertThat(answer.get("results").get(2).get("score").asDouble()).isLessThan(0.999);
    }

    @Test
    void withTheIndexDownAnExactScanGivesTheSameTopResultsAndSaysDegraded() {
        String request = "{\"query\":\"" + PARAPHRASE + "\",\"namespace\":\"" + RARE + "\",\"topK\":5}";
        List<String> normal = ids(search(request));
        SwitchableIndexConfiguration.of(service).down(true);
        JsonNode degraded;
        try {
            degraded = search(request);
        } finally {
            SwitchableIndexConfiguration.of(service).down(false);
        }

        assertThat(degraded.get("degraded").asBoolean()).isTrue();
        assertThat(ids(degraded)).isEqualTo(normal).hasSize(5);
        assertThat(service.get(service.management("/metrics")).body())
                .containsPattern("datastorage_search_degraded_total\\{[^}]*} [1-9]")
                .containsPattern("datastorage_query_total\\{[^}]*operation=\"search\"[^}]*outcome=\"degraded\"[^}]*} [1-9]")
                .contains("datastorage_query_duration_seconds");
    }

    @Test
    void namesEveryBadFieldInOneAnswer() {
        HttpResponse<String> answer = service.postJson("/api/v1/audit/search", "{\"query\":\"\",\"topK\":0,\"minScore\":2,"
                + "\"kinds\":[\"nope\"],\"phase\":\"Sleeping\",\"since\":\"yesterday\",\"color\":\"red\"}");

        assertThat(answer.statusCode()).isEqualTo(400);
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        List<String> fields = new ArrayList<>();
        problem.get("errors").forEach(e -> fields.add(e.get("field").asString()));
        assertThat(fields).contains("query", "topK", "minScore", "kinds", "phase", "since", "color");

        assertThat(service.postJson("/api/v1/audit/search", "{\"topK\":101,\"query\":\"x\"}").statusCode()).isEqualTo(400);
        assertThat(service.postJson("/api/v1/audit/search", "{}").body()).contains("\"query\"");
        assertThat(service.postJson("/api/v1/audit/search", "{\"query\":\"x\",\"vector\":[1]}").body()).contains("not both");
        assertThat(service.postJson("/api/v1/audit/search", "{\"vector\":[1,2]}").body()).contains("384 numbers");
        assertThat(service.postJson("/api/v1/audit/search", "{\"query\":\"" + "x".repeat(1001) + "\"}").statusCode())
                .isEqualTo(400);
        assertThat(service.postJson("/api/v1/audit/search",
                "{\"query\":\"x\",\"since\":\"1h\",\"until\":\"2h\"}").body()).contains("must not be after until");
        assertThat(service.postJson("/api/v1/audit/search", "[1]").statusCode()).isEqualTo(400);
        assertThat(service.postJson("/api/v1/audit/search", "{\"query\":").statusCode()).isEqualTo(400);
    }
}
