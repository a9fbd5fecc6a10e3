package io.datastorage.server;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The service embedding through an OpenAI-compatible endpoint: a local HTTP server that speaks
 * the protocol stands in for the paid API.
 */
@ExtendWith(OutputCaptureExtension.class)
class OpenAiEndpointTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String KEY = "sk-test-4f2b9c1d8e7a";

    static HttpServer endpoint;
    static volatile int servedDimension;
    static volatile boolean down;
    /** The Retry-After header of the 503 answers while down; none when null. */
    static volatile String retryAfter;
    static final Queue<String> AUTHORIZATION = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void startEndpoint() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endpoint.createContext("/v1/embeddings", exchange -> {
            AUTHORIZATION.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            byte[] answer;
            int status;
            if (down) {
                status = 503;
                answer = "{\"error\":{\"message\":\"overloaded\"}}".getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                ObjectNode body = JSON.createObjectNode();
                ArrayNode data = body.putArray("data");
                int index = 0;
                for (JsonNode input : request.get("input")) {
                    ObjectNode item = data.addObject().put("object", "embedding").put("index", index++);
                    ArrayNode vector = item.putArray("embedding");
                    int seed = input.asString().hashCode();
                    for (int d = 0; d < servedDimension; d++) {
                        vector.add(((seed >>> (d % 31)) & 1) == 0 ? -0.025f : 0.025f);
                    }
                }
                body.put("model", request.get("model").asString());
                answer = JSON.writeValueAsBytes(body);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (down && retryAfter != null) {
                exchange.getResponseHeaders().add("Retry-After", retryAfter);
            }
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        endpoint.start();
    }

    @AfterAll
    static void stopEndpoint() {
        endpoint.stop(0);
    }

    @BeforeEach
    void reset() {
        servedDimension = 1536;
        down = false;
        retryAfter = null;
        AUTHORIZATION.clear();
    }

    private static RunningService startService(Path keyFile) {
        return RunningService.start(RunningService.newDataDir(),
                "--datastorage.embedding.provider=openai",
                "--datastorage.embedding.openai.base-url=http://127.0.0.1:" + endpoint.getAddress().getPort(),
                "--datastorage.embedding.openai.model=text-embedding-3-large",
                "--datastorage.embedding.openai.api-key-file=" + keyFile,
                "--datastorage.embedding.dimension=1536",
                "--datastorage.embedding.repair-interval=200ms");
    }

    @Test
    void startsWhileTheEndpointIsDownStoresRecordsPendingAndEmbedsThemWhenItAnswers(CapturedOutput output) throws IOException {
        Path keyFile = Files.writeString(RunningService.newDataDir().resolve("api-key"), KEY + "\n");
        down = true;
        try (RunningService service = startService(keyFile)) {
            HttpResponse<String> whileDown = service.postJson("/api/v1/audit/remediation",
                    RunningService.validRecord("remediation", "endpoint-down"));
            assertThat(whileDown.statusCode()).isEqualTo(201);
            assertThat(JSON.readTree(whileDown.body()).get("embedded").asBoolean()).isFalse();

            down = false;
            String location = whileDown.headers().firstValue("Location").orElseThrow();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(JSON.readTree(service.get(location).body()).get("embedded").asBoolean()).isTrue());

            HttpResponse<String> whileUp = service.postJson("/api/v1/audit/execution",
                    RunningService.validRecord("execution", "endpoint-up"));
            assertThat(whileUp.statusCode()).isEqualTo(201);
            assertThat(JSON.readTree(whileUp.body()).get("embedded").asBoolean()).isTrue();
        }
        assertThat(AUTHORIZATION).isNotEmpty().containsOnly("Bearer " + KEY);
        assertThat(output.getAll()).contains("does not answer yet").doesNotContain(KEY);
    }

    /**
     * Issue 12: the endpoint's retries (up to 4 attempts, with backoffs of up to 5 s) used to hold a
     * write for about 55 s whatever its deadline. Now the embedder gets the write's remaining time
     * less the database's reserve, and starts no retry whose backoff ends after it.
     */
    @Test
    void anEndpointThatKeepsAnswering503CostsTheRecordItsVectorWithinTheDeadline() throws IOException {
        Path keyFile = Files.writeString(RunningService.newDataDir().resolve("api-key"), KEY);
        try (RunningService service = RunningService.start(RunningService.newDataDir(),
                "--datastorage.embedding.provider=openai",
                "--datastorage.embedding.openai.base-url=http://127.0.0.1:" + endpoint.getAddress().getPort(),
                "--datastorage.embedding.openai.model=text-embedding-3-large",
                "--datastorage.embedding.openai.api-key-file=" + keyFile,
                "--datastorage.embedding.dimension=1536",
                "--datastorage.embedding.repair-interval=1h",
                "--datastorage.write.deadline=3s")) {
            down = true;
            retryAfter = "5"; // the longest backoff the client allows by default
            AUTHORIZATION.clear();

            HttpResponse<String> created = service.postJson("/api/v1/audit/remediation",
                    RunningService.validRecord("remediation", "endpoint-overloaded"));

            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(JSON.readTree(created.body()).get("embedded").asBoolean()).isFalse();
            assertThat(AUTHORIZATION).as("attempts: a retry after 5 s cannot fit in a 2 s share of a 3 s deadline")
                    .hasSize(1);
        }
    }

    @Test
    void refusesToStartWhenTheEndpointsDimensionDiffersFromTheConfiguredOne(CapturedOutput output) throws IOException {
        servedDimension = 768;
        Path keyFile = Files.writeString(RunningService.newDataDir().resolve("api-key"), KEY);

        assertThatThrownBy(() -> startService(keyFile).close()).isNotNull();

        assertThat(output.getAll()).contains("768").contains("1536").doesNotContain(KEY);
    }
}
