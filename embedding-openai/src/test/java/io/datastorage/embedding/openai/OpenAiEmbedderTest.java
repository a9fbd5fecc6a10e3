package io.datastorage.embedding.openai;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.datastorage.core.embedding.EmbedderUnavailableException;
import io.datastorage.core.embedding.EmbeddingException;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.error.TransientException;
import io.datastorage.embedding.openai.FakeEmbeddingServer.Recorded;
import io.datastorage.embedding.openai.FakeEmbeddingServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@Timeout(20)
class OpenAiEmbedderTest {
    private static final int DIM = 4;
    private static final String KEY = "sk-test-0123456789abcdefSECRET";
    private static final String MODEL = "text-embedding-3-small";

    private FakeEmbeddingServer server;
    private final List<OpenAiEmbedder> embedders = new ArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = new FakeEmbeddingServer(DIM);
    }

    private ListAppender<ILoggingEvent> logs;

    @AfterEach
    void stop() {
        embedders.forEach(OpenAiEmbedder::close);
        server.close();
        if (logs != null) {
            ((Logger) LoggerFactory.getLogger(OpenAiEmbedder.class)).detachAppender(logs);
        }
    }

    /** Tiny backoffs, so that a test with retries takes milliseconds. */
    private OpenAiEmbedder.Builder fast() {
        return OpenAiEmbedder.builder()
                .baseUrl(server.baseUrl())
                .model(MODEL)
                .apiKey(KEY)
                .dimension(DIM)
                .timeout(Duration.ofSeconds(2))
                .initialBackoff(Duration.ofMillis(1))
                .maxBackoff(Duration.ofMillis(5));
    }

    private OpenAiEmbedder embedder(Consumer<OpenAiEmbedder.Builder> settings) {
        OpenAiEmbedder.Builder builder = fast();
        settings.accept(builder);
        OpenAiEmbedder embedder = builder.build();
        embedders.add(embedder);
        return embedder;
    }

    private OpenAiEmbedder embedder() {
        return embedder(builder -> {
        });
    }

    private static String error(String message) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"code\":null}}";
    }

    // ------------------------------------------------------------------ happy path

    @Test
    void ordersVectorsByIndexAndSendsModelInputAndKey() {
        server.enqueue(200, """
                {"object":"list","model":"text-embedding-3-small","data":[
                  {"object":"embedding","index":2,"embedding":[3,3,3,3]},
                  {"object":"embedding","index":0,"embedding":[1,1,1,1]},
                  {"object":"embedding","index":1,"embedding":[0.5,-0.25,2e-3,1E2]}
                ],"usage":{"prompt_tokens":3,"total_tokens":3}}""");

        List<float[]> vectors = embedder().embed(List.of("first", "second", "third"));

        assertThat(vectors).containsExactly(
                new float[] {1, 1, 1, 1}, new float[] {0.5f, -0.25f, 0.002f, 100f}, new float[] {3, 3, 3, 3});
        Recorded request = server.requests().getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/embeddings");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.body().get("model").stringValue()).isEqualTo(MODEL);
        assertThat(request.input()).containsExactly("first", "second", "third");
        assertThat(request.body().propertyNames()).containsExactlyInAnyOrder("model", "input");
    }

    @Test
    void keepsTheEndpointsValuesWithoutNormalising() {
        List<String> texts = List.of("a", "pod api-7f9 OOMKilled", "ünïcödé ✓", "");
        List<float[]> vectors = embedder().embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(vectors.get(i)).containsExactly(FakeEmbeddingServer.vectorFor(texts.get(i), DIM));
        }
        assertThat(server.requests().getFirst().input()).isEqualTo(texts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void sendsNoAuthorizationHeaderWithoutKey(String blank) {
        embedder(b -> b.apiKey(null)).embed(List.of("x"));
        embedder(b -> b.apiKey(blank)).embed(List.of("y"));
        assertThat(server.requests()).hasSize(2)
                .allSatisfy(request -> assertThat(request.header("Authorization")).isNull());
    }

    @Test
    void emptyInputMakesNoRequest() {
        assertThat(embedder().embed(List.of())).isEmpty();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void splitsLongListsIntoBatchesInOrder() {
        List<String> texts = List.of("a", "b", "c", "d", "e");
        List<float[]> vectors = embedder(b -> b.maxBatchSize(2)).embed(texts);

        assertThat(server.requests()).extracting(Recorded::input)
                .containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
        for (int i = 0; i < texts.size(); i++) {
            assertThat(vectors.get(i)).containsExactly(FakeEmbeddingServer.vectorFor(texts.get(i), DIM));
        }
    }

    @Test
    void isThreadSafe() throws Exception {
        OpenAiEmbedder embedder = embedder();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                Callable<Boolean> task = () -> {
                    for (int r = 0; r < 10; r++) {
                        int round = r;
                        List<String> texts = IntStream.range(0, 5)
                                .mapToObj(i -> "t" + thread + "-r" + round + "-" + i).toList();
                        List<float[]> vectors = embedder.embed(texts);
                        for (int i = 0; i < texts.size(); i++) {
                            assertThat(vectors.get(i)).containsExactly(FakeEmbeddingServer.vectorFor(texts.get(i), DIM));
                        }
                    }
                    return true;
                };
                results.add(pool.submit(task));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.requests()).hasSize(80);
    }

    // ------------------------------------------------------------------ retries

    @Test
    void succeedsAfterA500() {
        server.enqueue(500, error("The server had an error while processing your request."));
        List<float[]> vectors = embedder().embed(List.of("x"));
        assertThat(vectors.getFirst()).containsExactly(FakeEmbeddingServer.vectorFor("x", DIM));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void failsTransientlyAfterFourAttemptsOf500() {
        server.always(Reply.of(500, error("The server had an error while processing your request.")));

        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class,
                () -> embedder().embed(List.of("x")));

        assertThat(server.requests()).hasSize(4);
        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage())
                .contains("4 attempts", "HTTP 500", "The server had an error", server.baseUrl().toString());
    }

    @Test
    void maxRetriesZeroMeansOneAttempt() {
        server.always(Reply.of(502, "<html>Bad Gateway</html>"));
        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class,
                () -> embedder(b -> b.maxRetries(0)).embed(List.of("x")));
        assertThat(server.requests()).hasSize(1);
        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("1 attempt;", "HTTP 502").doesNotContain("server said");
    }

    @Test
    void backsOffExponentiallyUpToMaxBackoff() {
        server.always(Reply.of(503, error("overloaded")));
        assertThatThrownBy(() -> embedder(b -> b.initialBackoff(Duration.ofMillis(60))
                .maxBackoff(Duration.ofMillis(150))).embed(List.of("x")))
                .isInstanceOf(EmbedderUnavailableException.class);

        List<Long> gaps = gapsMillis(server.requests());
        // 60, 120, then capped at 150 (lower bounds only: a loaded machine may be slower).
        assertThat(gaps).hasSize(3);
        assertThat(gaps.get(0)).isGreaterThanOrEqualTo(55);
        assertThat(gaps.get(1)).isGreaterThanOrEqualTo(115);
        assertThat(gaps.get(2)).isGreaterThanOrEqualTo(145);
    }

    @Test
    void honoursRetryAfterOn429() {
        server.enqueue(Reply.withHeader(429, "Retry-After", "1", error("Rate limit reached")));
        embedder(b -> b.maxBackoff(Duration.ofSeconds(3))).embed(List.of("x"));

        List<Long> gaps = gapsMillis(server.requests());
        assertThat(gaps).hasSize(1);
        assertThat(gaps.getFirst()).isGreaterThanOrEqualTo(950); // 1 s, not the 1 ms backoff
    }

    @Test
    void capsRetryAfterAtMaxBackoff() {
        server.enqueue(Reply.withHeader(429, "Retry-After", "1", error("Rate limit reached")));
        server.enqueue(Reply.withHeader(503, "Retry-After",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(30).atOffset(ZoneOffset.UTC)),
                error("Service Unavailable")));
        embedder(b -> b.maxBackoff(Duration.ofMillis(250))).embed(List.of("x"));

        List<Long> gaps = gapsMillis(server.requests());
        assertThat(gaps).hasSize(2).allSatisfy(gap -> assertThat(gap).isBetween(240L, 900L));
    }

    /** Issue 12: without a limit, retries could hold a write for about 55 s. */
    @Test
    void startsNoRetryWhoseBackoffEndsAfterTheTimeLimit() {
        server.always(Reply.withHeader(503, "Retry-After", "5", error("overloaded")));

        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class,
                () -> embedder(b -> b.maxBackoff(Duration.ofSeconds(5))).embed(List.of("x"), Duration.ofSeconds(2)));

        assertThat(server.requests()).hasSize(1);
        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("1 attempt;", "HTTP 503");
    }

    @Test
    void retriesThatFitInTheTimeLimitAreStillMade() {
        server.always(Reply.of(500, error("busy")));

        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class,
                () -> embedder().embed(List.of("x"), Duration.ofSeconds(10)));

        assertThat(server.requests()).hasSize(4);
        assertThat(e.getMessage()).contains("4 attempts");
    }

    @Test
    void anAttemptIsCutShortByTheTimeLimitAndNotRetried() {
        server.always(Reply.hanging());

        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class,
                () -> embedder(b -> b.timeout(Duration.ofSeconds(10))).embed(List.of("x"), Duration.ofMillis(300)));

        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("1 attempt;", "no complete answer within");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void noTimeLeftSendsNothing() {
        assertThatThrownBy(() -> embedder().embed(List.of("x"), Duration.ZERO))
                .isInstanceOf(EmbedderUnavailableException.class);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void exhaustedRateLimitIsTransient() {
        server.always(Reply.withHeader(429, "Retry-After", "0", error("Rate limit reached for requests")));
        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class,
                () -> embedder(b -> b.maxRetries(2)).embed(List.of("x")));
        assertThat(server.requests()).hasSize(3);
        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("3 attempts", "HTTP 429", "Rate limit reached for requests");
    }

    @Test
    void unreachableServerIsTransientAfterRetries() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OpenAiEmbedder embedder = embedder(b -> b.baseUrl(URI.create("http://127.0.0.1:" + closedPort)));

        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class, () -> embedder.embed(List.of("x")));

        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("4 attempts", "could not connect", "127.0.0.1:" + closedPort);
        assertThat(e.getCause()).isInstanceOf(IOException.class);
    }

    @Test
    void silentServerTimesOutTransiently() {
        server.always(Reply.hanging());
        OpenAiEmbedder embedder = embedder(b -> b.timeout(Duration.ofMillis(200)).maxRetries(1));

        long start = System.nanoTime();
        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class, () -> embedder.embed(List.of("x")));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("2 attempts", "timed out", "200 ms");
        assertThat(server.requests()).hasSize(2);
        assertThat(tookMillis).isGreaterThanOrEqualTo(390);
    }

    @Test
    void stalledBodyTimesOutTransiently() {
        server.always(Reply.stallingBody());
        EmbedderUnavailableException e = catchThrowableOfType(EmbedderUnavailableException.class,
                () -> embedder(b -> b.timeout(Duration.ofMillis(200)).maxRetries(1)).embed(List.of("x")));
        assertThat(e).isInstanceOf(TransientException.class);
        assertThat(e.getMessage()).contains("2 attempts", "timed out");
    }

    // ------------------------------------------------------------------ rejections

    @ParameterizedTest
    @CsvSource({
            "400, '''$.input'' is invalid. Please check the API reference'",
            "404, The model `text-embedding-9` does not exist",
            "422, Unprocessable input",
            "403, You are not allowed to sample from this model",
    })
    void clientErrorsFailAtOnceAndPermanently(int status, String serverMessage) {
        server.always(Reply.of(status, error(serverMessage)));

        EmbeddingException e = catchThrowableOfType(EmbeddingException.class,
                () -> embedder().embed(List.of("x")));

        assertThat(server.requests()).hasSize(1);
        assertThat(e).isInstanceOf(PermanentException.class);
        assertThat(e.getMessage()).contains("HTTP " + status, serverMessage).doesNotContain(KEY);
    }

    @Test
    void unauthorizedHintsAtTheKeyWithoutShowingIt() {
        logs = captureLogs();
        server.enqueue(500, error("Internal error for key " + KEY));
        server.enqueue(401, error("Incorrect API key provided: " + KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys."));
        OpenAiEmbedder embedder = embedder(b -> b.maxRetries(3));

        EmbeddingException e = catchThrowableOfType(EmbeddingException.class, () -> embedder.embed(List.of("x")));

        assertThat(server.requests()).hasSize(2); // the 500 is retried, the 401 is not
        assertThat(e).isInstanceOf(PermanentException.class);
        assertThat(e.getMessage()).contains("HTTP 401", "API key", "Incorrect API key provided: [redacted]");
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(t.getMessage()).doesNotContain(KEY);
            assertThat(t.toString()).doesNotContain(KEY);
        }
        assertThat(embedder.toString()).doesNotContain(KEY).contains("apiKey=set", MODEL);
        assertThat(logs.list).isNotEmpty()
                .allSatisfy(event -> assertThat(event.getFormattedMessage()).doesNotContain(KEY));
    }

    @Test
    void unauthorizedWithoutKeySaysNoneIsConfigured() {
        server.enqueue(401, error("You didn't provide an API key."));
        EmbeddingException e = catchThrowableOfType(EmbeddingException.class,
                () -> embedder(b -> b.apiKey(null)).embed(List.of("x")));
        assertThat(e).isInstanceOf(PermanentException.class);
        assertThat(e.getMessage()).contains("HTTP 401", "no API key is configured", "You didn't provide an API key.");
    }

    @Test
    void quotesAtMost200CharactersOfTheServersMessage() {
        String longMessage = "x".repeat(150) + "\\n\\t" + "y".repeat(1000);
        server.enqueue(400, error(longMessage));
        EmbeddingException e = catchThrowableOfType(EmbeddingException.class, () -> embedder().embed(List.of("x")));
        String quoted = e.getMessage().replaceAll("(?s).*server said: \"(.*)\".*", "$1");
        assertThat(quoted).hasSize(200).startsWith("x".repeat(150) + " y").endsWith("…").doesNotContain("\n");
    }

    @Test
    void acceptsAPlainStringError() {
        server.enqueue(400, "{\"error\":\"input must not be empty\"}");
        assertThatThrownBy(() -> embedder().embed(List.of("x")))
                .hasMessageContaining("HTTP 400").hasMessageContaining("input must not be empty");
    }

    // ------------------------------------------------------------------ invalid answers

    static Stream<Arguments> garbage() {
        return Stream.of(
                arguments("this is not json", "the body is not JSON"),
                arguments("<html><body>Welcome to nginx!</body></html>", "the body is not JSON"),
                arguments("", "not a JSON object"),
                arguments("[]", "not a JSON object"),
                arguments("{\"object\":\"list\"}", "no \"data\" array"),
                arguments("{\"data\":{}}", "no \"data\" array"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]}]}", "1 entry for 2 inputs"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":1,\"embedding\":[1,2,3,4]},{\"index\":2,\"embedding\":[1,2,3,4]}]}", "3 entries for 2 inputs"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":0,\"embedding\":[1,2,3,4]}]}", "index 0 appears more than once"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"embedding\":[1,2,3,4]}]}", "data[1].index is missing or not an integer"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":\"1\",\"embedding\":[1,2,3,4]}]}", "data[1].index is missing or not an integer"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":1.5,\"embedding\":[1,2,3,4]}]}", "data[1].index is missing or not an integer"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":2,\"embedding\":[1,2,3,4]}]}", "data[1].index is 2, outside 0..1"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":-1,\"embedding\":[1,2,3,4]}]}", "data[1].index is -1, outside 0..1"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":1,\"embedding\":[1,\"2\",3,4]}]}", "data[1].embedding[1] is not a finite number"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":1,\"embedding\":[1,null,3,4]}]}", "data[1].embedding[1] is not a finite number"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":1,\"embedding\":[1,2,3,1e999]}]}", "data[1].embedding[3] is not a finite number"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":1,\"embedding\":\"AACAPwAAAEA=\"}]}", "data[1].embedding is missing or not an array"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},{\"index\":1}]}", "data[1].embedding is missing or not an array"),
                arguments("{\"data\":[{\"index\":0,\"embedding\":[1,2,3,4]},7]}", "data[1].index is missing or not an integer"));
    }

    @ParameterizedTest
    @MethodSource("garbage")
    void garbageIsAPermanentInvalidResponse(String body, String why) {
        server.enqueue(200, body);
        EmbeddingException e = catchThrowableOfType(EmbeddingException.class,
                () -> embedder().embed(List.of("a", "b")));
        assertThat(e).isInstanceOf(PermanentException.class);
        assertThat(e.getMessage()).startsWith("invalid response from embedding endpoint").contains(why);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void wrongDimensionIsPermanentAndNamesBothNumbers() {
        server.enqueue(200, FakeEmbeddingServer.body(List.of("a", "b"), 3));
        EmbeddingException e = catchThrowableOfType(EmbeddingException.class,
                () -> embedder().embed(List.of("a", "b")));
        assertThat(e).isInstanceOf(PermanentException.class);
        assertThat(e.getMessage()).contains("3-dimensional", "configured dimension is 4", MODEL);
        assertThat(server.requests()).hasSize(1);
    }

    // ------------------------------------------------------------------ configuration

    @ParameterizedTest
    @CsvSource({
            "http://h:8080,                      http://h:8080/v1/embeddings",
            "http://h:8080/,                     http://h:8080/v1/embeddings",
            "http://h:8080/v1,                   http://h:8080/v1/embeddings",
            "http://h:8080/v1/,                  http://h:8080/v1/embeddings",
            "http://h:8080/v1//,                 http://h:8080/v1/embeddings",
            "http://h:8080/v1/embeddings,        http://h:8080/v1/embeddings",
            "HTTPS://api.openai.com,             https://api.openai.com/v1/embeddings",
            "https://proxy.example/openai,       https://proxy.example/openai/v1/embeddings",
            "https://proxy.example/openai/v1/,   https://proxy.example/openai/v1/embeddings",
            "https://proxy.example/v1x,          https://proxy.example/v1x/v1/embeddings",
    })
    void normalisesTheBaseUrl(String baseUrl, String endpoint) {
        OpenAiEmbedder embedder = embedder(b -> b.baseUrl(URI.create(baseUrl)));
        assertThat(embedder.endpoint()).isEqualTo(URI.create(endpoint));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/v1", "/v1/", "/v1/embeddings"})
    void requestsGoToV1EmbeddingsExactlyOnce(String suffix) {
        embedder(b -> b.baseUrl(URI.create(server.baseUrl() + suffix))).embed(List.of("x"));
        embedder(b -> b.baseUrl(URI.create(server.baseUrl() + "/prefix" + suffix))).embed(List.of("x"));
        assertThat(server.requests()).extracting(Recorded::path)
                .containsExactly("/v1/embeddings", "/prefix/v1/embeddings");
    }

    @Test
    void describesItself() {
        OpenAiEmbedder embedder = embedder(b -> b.dimension(1536).model("text-embedding-3-small"));
        assertThat(embedder.modelId()).isEqualTo("openai:text-embedding-3-small@1536");
        assertThat(embedder.dimension()).isEqualTo(1536);
        assertThat(embedder.toString()).doesNotContain(KEY).contains("apiKey=set");
        assertThat(embedder(b -> b.apiKey(null)).toString()).contains("apiKey=none");
    }

    @Test
    void validatesItsArguments() {
        OpenAiEmbedder.Builder b = OpenAiEmbedder.builder();
        assertThatThrownBy(() -> b.baseUrl(null)).hasMessageContaining("baseUrl").hasMessageContaining("null");
        assertThatThrownBy(() -> b.baseUrl(URI.create("ftp://h/x")))
                .hasMessageContaining("baseUrl").hasMessageContaining("ftp://h/x");
        assertThatThrownBy(() -> b.baseUrl(URI.create("/relative")))
                .hasMessageContaining("baseUrl").hasMessageContaining("/relative");
        assertThatThrownBy(() -> b.baseUrl(URI.create("http://my_host:8080")))
                .hasMessageContaining("baseUrl").hasMessageContaining("my_host");
        assertThatThrownBy(() -> b.baseUrl(URI.create("http://h/v1?api-version=1")))
                .hasMessageContaining("baseUrl").hasMessageContaining("api-version=1");
        assertThatThrownBy(() -> b.baseUrl(URI.create("http://user:hunter2@h:80/v1")))
                .hasMessageContaining("baseUrl").hasMessageContaining("credentials").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> b.model(" ")).hasMessageContaining("model").hasMessageContaining("\" \"");
        assertThatThrownBy(() -> b.model(null)).hasMessageContaining("model").hasMessageContaining("null");
        assertThatThrownBy(() -> b.apiKey("sk-abc\ndef"))
                .hasMessageContaining("apiKey").hasMessageNotContaining("sk-abc");
        assertThatThrownBy(() -> b.dimension(0)).hasMessageContaining("dimension").hasMessageContaining("0");
        assertThatThrownBy(() -> b.dimension(-5)).hasMessageContaining("dimension").hasMessageContaining("-5");
        assertThatThrownBy(() -> b.timeout(Duration.ZERO)).hasMessageContaining("timeout").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> b.timeout(null)).hasMessageContaining("timeout").hasMessageContaining("null");
        assertThatThrownBy(() -> b.maxRetries(-1)).hasMessageContaining("maxRetries").hasMessageContaining("-1");
        assertThatThrownBy(() -> b.initialBackoff(Duration.ofMillis(-1)))
                .hasMessageContaining("initialBackoff").hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> b.maxBackoff(null)).hasMessageContaining("maxBackoff").hasMessageContaining("null");
        assertThatThrownBy(() -> b.maxBatchSize(0)).hasMessageContaining("maxBatchSize").hasMessageContaining("0");

        assertThatThrownBy(b::build).hasMessageContaining("baseUrl");
        b.baseUrl(server.baseUrl());
        assertThatThrownBy(b::build).hasMessageContaining("model");
        b.model(MODEL);
        assertThatThrownBy(b::build).hasMessageContaining("dimension");
        b.dimension(DIM).initialBackoff(Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(1));
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBackoff").hasMessageContaining("PT1S");
    }

    @Test
    void rejectsNullTexts() {
        OpenAiEmbedder embedder = embedder();
        assertThatThrownBy(() -> embedder.embed(java.util.Arrays.asList("a", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("texts[1]");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void closeReleasesTheClient() {
        OpenAiEmbedder embedder = fast().build();
        embedder.embed(List.of("x"));
        embedder.close();
        embedder.close();
        assertThatThrownBy(() -> embedder.embed(List.of("x"))).isInstanceOf(IllegalStateException.class);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void readsRetryAfter() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        assertThat(OpenAiEmbedder.retryAfter("1", now)).isEqualTo(Duration.ofSeconds(1));
        assertThat(OpenAiEmbedder.retryAfter(" 120 ", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(OpenAiEmbedder.retryAfter("0", now)).isEqualTo(Duration.ZERO);
        assertThat(OpenAiEmbedder.retryAfter("Sun, 01 Mar 2026 12:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(OpenAiEmbedder.retryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now)).isEqualTo(Duration.ZERO);
        assertThat(OpenAiEmbedder.retryAfter("99999999999999999999999", now)).isGreaterThan(Duration.ofDays(1));
        assertThat(OpenAiEmbedder.retryAfter("-1", now)).isNull();
        assertThat(OpenAiEmbedder.retryAfter("1.5", now)).isNull();
        assertThat(OpenAiEmbedder.retryAfter("soon", now)).isNull();
        assertThat(OpenAiEmbedder.retryAfter("", now)).isNull();
        assertThat(OpenAiEmbedder.retryAfter(null, now)).isNull();
    }

    // ------------------------------------------------------------------ helpers

    private static List<Long> gapsMillis(List<Recorded> requests) {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < requests.size(); i++) {
            gaps.add((requests.get(i).nanoTime() - requests.get(i - 1).nanoTime()) / 1_000_000);
        }
        return gaps;
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        Logger logger = (Logger) LoggerFactory.getLogger(OpenAiEmbedder.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }
}
