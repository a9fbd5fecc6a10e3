package io.datastorage.embedding.openai;

import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.embedding.EmbedderUnavailableException;
import io.datastorage.core.embedding.EmbeddingException;
import io.datastorage.core.embedding.TimeLimit;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link Embedder} backed by any OpenAI-compatible embeddings endpoint (OpenAI itself, Azure-style
 * proxies, vLLM, Ollama, LocalAI, text-embeddings-inference, ...).
 *
 * <pre>{@code
 * try (OpenAiEmbedder embedder = OpenAiEmbedder.builder()
 *         .baseUrl(URI.create("https://api.openai.com"))
 *         .model("text-embedding-3-small")
 *         .apiKey(System.getenv("OPENAI_API_KEY"))
 *         .dimension(1536)
 *         .build()) {
 *     float[] vector = embedder.embed(List.of("pod api-7f9 OOMKilled")).getFirst();
 * }
 * }</pre>
 *
 * <h2>Protocol</h2>
 * Each call sends {@code POST <endpoint>} with the JSON body {@code {"model": "...", "input": [...]}}
 * and, when an API key is configured, the header {@code Authorization: Bearer <key>} (no header at
 * all otherwise, for local servers). The answer must be {@code {"data": [{"index": i, "embedding":
 * [...]}, ...]}}: exactly one entry per input, every index in {@code 0..n-1} exactly once, every
 * embedding an array of numbers. Entries are put in {@code index} order, whatever order the server
 * sends them in. Other fields of the answer are ignored.
 *
 * <h2>Endpoint</h2>
 * The request goes to the {@code baseUrl} with {@code /v1/embeddings} appended exactly once.
 * Trailing slashes are dropped first; then a path that already ends in {@code /v1} gets only
 * {@code /embeddings}, and a path that already ends in {@code /v1/embeddings} is used as it is.
 * So {@code http://host:8080}, {@code http://host:8080/}, {@code http://host:8080/v1},
 * {@code http://host:8080/v1/} and {@code http://host:8080/v1/embeddings} all mean
 * {@code http://host:8080/v1/embeddings}, and {@code https://proxy/openai} means
 * {@code https://proxy/openai/v1/embeddings}. The base URL must be {@code http} or {@code https}
 * and may not carry credentials, a query or a fragment. See {@link #endpoint()}.
 *
 * <h2>Vectors</h2>
 * The vectors are returned exactly as the endpoint sent them (as {@code float}), never
 * re-normalised: OpenAI's embeddings are already of unit length, and other servers' choices are
 * theirs to make. Every vector must have the {@linkplain Builder#dimension configured dimension};
 * a different length is a configuration error. Lists longer than {@linkplain Builder#maxBatchSize
 * the batch size} are sent as several requests, one after the other, and the results concatenated
 * in order. Texts are sent as they are: this class does not truncate them, so a text longer than
 * the model's window gets whatever the endpoint does with it (OpenAI refuses it with HTTP 400;
 * some local servers truncate).
 *
 * <h2>Failures and retries</h2>
 * A failure a retry may get past is an {@link EmbedderUnavailableException} (transient), any other
 * an {@link EmbeddingException} (permanent):
 * <ul>
 *   <li>network errors (connection refused or reset, no complete answer within the
 *       {@linkplain Builder#timeout timeout}), HTTP 5xx and HTTP 429 are retried up to
 *       {@linkplain Builder#maxRetries maxRetries} times, waiting {@code initialBackoff × 2^(n-1)}
 *       before retry {@code n}, capped at {@code maxBackoff}. On 429 and 503 a {@code Retry-After}
 *       header (delta-seconds or HTTP-date) replaces that backoff, but is also capped at
 *       {@code maxBackoff}: a server asking for a longer pause gets an earlier retry, and the caller
 *       a transient failure sooner rather than a thread parked for minutes. When the retries are
 *       exhausted the exception is transient and says
 *       how many attempts were made;</li>
 *   <li>any other status (400, 401, 403, 404, 422, ...) fails at once, permanent;</li>
 *   <li>a successful status with an answer that does not follow the protocol fails at once,
 *       permanent ("invalid response");</li>
 *   <li>vectors of another length than the configured dimension fail at once, permanent, naming
 *       both lengths.</li>
 * </ul>
 * With a time limit ({@link #embed(List, Duration)}) each attempt is bounded by what is left of
 * it (at most the timeout), and a retry is started only when, after its backoff, at least as much
 * time is left as the attempt that just failed took; otherwise the call fails at once as
 * transient, saying how many attempts were made. A split list shares one limit. Without a limit
 * the worst case is {@code (maxRetries + 1) × timeout} plus the backoffs (about 55 s with the
 * defaults).
 *
 * <p>Messages name the endpoint and the HTTP status, and quote at most 200 characters of the server's
 * own error message when it sent one ({@code {"error": {"message": "..."}}} or {@code {"error":
 * "..."}}). The API key never appears in a message, a log line or {@link #toString()}; should the
 * server echo it back, it is replaced by {@code [redacted]}.
 *
 * <p>Instances are thread-safe and hold an {@link HttpClient}; {@link #close()} releases it.
 */
public final class OpenAiEmbedder implements Embedder, AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Texts per request; OpenAI accepts up to 2048. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 256;

    /** Longest quote of the server's error message in an exception message. */
    static final int MAX_EXCERPT = 200;
    private static final String REDACTED = "[redacted]";

    private static final Logger log = LoggerFactory.getLogger(OpenAiEmbedder.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final int dimension;
    private final Duration timeout;
    private final Duration maxBackoff;
    private final Duration initialBackoff;
    private final int maxBatchSize;
    private final HttpClient client;
    private final RetryConfig retryConfig;
    private final int maxRetries;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OpenAiEmbedder(Builder builder) {
        this.endpoint = endpointFor(builder.baseUrl);
        this.model = builder.model;
        this.apiKey = builder.apiKey;
        this.dimension = builder.dimension;
        this.timeout = builder.timeout;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.maxBatchSize = builder.maxBatchSize;
        this.maxRetries = builder.maxRetries;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        IntervalBiFunction<HttpResponse<byte[]>> interval = this::loggedWaitMillis;
        this.retryConfig = RetryConfig.<HttpResponse<byte[]>>custom()
                .maxAttempts(builder.maxRetries + 1)
                .retryOnException(e -> e instanceof IOException)
                .retryOnResult(response -> isRetryable(response.statusCode()))
                .intervalBiFunction(interval)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return embed(texts, NO_TIME_LIMIT);
    }

    /** As {@link #embed(List)}, bounded as the class comment says ("Failures and retries"). */
    @Override
    public List<float[]> embed(List<String> texts, Duration timeLimit) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(timeLimit, "timeLimit");
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("texts[" + i + "] is null");
            }
        }
        ensureOpen();
        if (texts.isEmpty()) {
            return List.of();
        }
        TimeLimit.requireTimeLeft(timeLimit, endpoint.toString());
        long end = TimeLimit.endOf(timeLimit);
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += maxBatchSize) {
            vectors.addAll(embedBatch(texts.subList(from, Math.min(texts.size(), from + maxBatchSize)), end));
        }
        return Collections.unmodifiableList(vectors);
    }

    /** The configured dimension: the length of every vector {@link #embed} returns. */
    @Override
    public int dimension() {
        return dimension;
    }

    /** {@code "openai:" + model + "@" + dimension}, e.g. {@code openai:text-embedding-3-small@1536}. */
    @Override
    public String modelId() {
        return "openai:" + model + "@" + dimension;
    }

    /** Where the requests go: the base URL normalised as described in the class comment. */
    public URI endpoint() {
        return endpoint;
    }

    /** Releases the HTTP client, waiting for requests in flight; {@link #embed} then fails. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "OpenAiEmbedder[endpoint=" + endpoint + ", model=" + model + ", dimension=" + dimension
                + ", apiKey=" + (apiKey == null ? "none" : "set") + "]";
    }

    // ---------------------------------------------------------------- one request

    /** @param end when the caller's time limit ends, on the {@link System#nanoTime()} scale */
    private List<float[]> embedBatch(List<String> texts, long end) {
        HttpRequest request = request(texts);
        AtomicInteger attempts = new AtomicInteger();
        AtomicLong lastAttemptNanos = new AtomicLong();
        // One Retry per call: whether a retry fits depends on this call's time limit.
        Retry retry = Retry.of("openai-embeddings", RetryConfig.<HttpResponse<byte[]>>from(retryConfig)
                .retryOnException(e -> e instanceof IOException
                        && retryFits(attempts.get(), Either.left(e), end, lastAttemptNanos.get()))
                .retryOnResult(response -> isRetryable(response.statusCode())
                        && retryFits(attempts.get(), Either.right(response), end, lastAttemptNanos.get()))
                .build());
        HttpResponse<byte[]> response;
        try {
            response = retry.executeCallable(() -> send(request, attempts, end, lastAttemptNanos));
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(e);
            }
            throw new EmbedderUnavailableException("embedding request to " + endpoint + " failed after "
                    + attempts(attempts.get()) + "; last error: " + redact(describe(e)), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new EmbeddingException("embedding request to " + endpoint + " failed: "
                    + redact(describe(e)), e);
        }

        int status = response.statusCode();
        if (isRetryable(status)) {
            throw new EmbedderUnavailableException("embedding request to " + endpoint + " failed after "
                    + attempts(attempts.get()) + "; last answer: HTTP " + status + serverSaid(response.body()),
                    null);
        }
        if (status < 200 || status > 299) {
            throw new EmbeddingException(rejection(status, response.body()), null);
        }
        return vectors(response.body(), texts.size());
    }

    private HttpRequest request(List<String> texts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        body.put("input", texts);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        if ("http".equalsIgnoreCase(endpoint.getScheme())) {
            // No h2c upgrade dance with plain-text local servers, some of which mishandle it.
            request.version(HttpClient.Version.HTTP_1_1);
        }
        return request.build();
    }

    /**
     * One attempt, bounded as a whole (connect, send, answer and its body) by the timeout or by
     * what is left of the time limit, whichever is shorter.
     */
    private HttpResponse<byte[]> send(HttpRequest request, AtomicInteger attempts, long end, AtomicLong took)
            throws IOException, InterruptedException {
        ensureOpen();
        long started = System.nanoTime();
        long bound = Math.min(timeout.toNanos(), end - started);
        if (bound <= 0) {
            throw new AttemptTimeout("the time limit ended before attempt " + (attempts.get() + 1));
        }
        attempts.incrementAndGet();
        CompletableFuture<HttpResponse<byte[]>> future =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            return future.get(bound, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AttemptTimeout("no complete answer within " + millis(Duration.ofNanos(bound)));
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        } finally {
            took.set(System.nanoTime() - started);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    // ---------------------------------------------------------------- retry policy

    static boolean isRetryable(int status) {
        return status == 429 || (status >= 500 && status <= 599);
    }

    /** {@link #waitMillis}, logged: the retry is about to wait that long. */
    private Long loggedWaitMillis(Integer retryNumber, Either<Throwable, HttpResponse<byte[]>> outcome) {
        long wait = waitMillis(retryNumber, outcome);
        String what;
        if (outcome.isRight()) {
            int status = outcome.get().statusCode();
            what = "HTTP " + status + (status == 429 || status == 503
                    ? outcome.get().headers().firstValue("Retry-After").map(h -> " with Retry-After " + h).orElse("")
                    : "");
        } else {
            what = redact(describe(outcome.getLeft()));
        }
        log.warn("embedding request to {} failed ({}); retry {} in {} ms", endpoint, what, retryNumber, wait);
        return wait;
    }

    /**
     * Whether retry number {@code attempts} (the attempts made so far) can still be of use: after
     * its backoff at least as much time is left as the last attempt took.
     */
    private boolean retryFits(int attempts, Either<Throwable, HttpResponse<byte[]>> outcome, long end,
                              long lastAttemptNanos) {
        if (attempts > maxRetries) {
            return true; // no retry left anyway: the retry policy ends it as exhausted
        }
        long afterBackoff = end - System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(waitMillis(attempts, outcome));
        boolean fits = afterBackoff > 0 && afterBackoff >= lastAttemptNanos;
        if (!fits) {
            log.warn("embedding request to {} failed after {}; no retry, the time limit ends before one could",
                    endpoint, attempts(attempts));
        }
        return fits;
    }

    /**
     * How long to wait before retry number {@code retryNumber} (1, 2, ...), given what the attempt before it
     * ended with: the server's Retry-After on 429/503, else exponential backoff; never more than
     * maxBackoff.
     */
    private long waitMillis(int retryNumber, Either<Throwable, HttpResponse<byte[]>> outcome) {
        long cap = maxBackoff.toMillis();
        long wait = (long) Math.min(initialBackoff.toMillis() * Math.pow(2, retryNumber - 1), cap);
        if (outcome.isRight()) {
            HttpResponse<byte[]> response = outcome.get();
            int status = response.statusCode();
            if (status == 429 || status == 503) {
                Duration retryAfter = retryAfter(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
                if (retryAfter != null) {
                    wait = Math.min(retryAfter.toMillis(), cap);
                }
            }
        }
        return wait;
    }

    /**
     * The pause a Retry-After header asks for: delta-seconds ({@code 120}) or an HTTP-date
     * ({@code Wed, 21 Oct 2015 07:28:00 GMT}, a date in the past meaning no pause); {@code null}
     * when the header is absent or unreadable.
     */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Duration.ofSeconds(Long.parseLong(value));
            } catch (NumberFormatException tooLong) {
                return Duration.ofSeconds(Long.MAX_VALUE);
            }
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- answers

    private List<float[]> vectors(byte[] body, int expected) {
        try {
            return parse(body, expected);
        } catch (JacksonException e) {
            // Not chained: the parser's message may quote the body, which is the server's text.
            throw invalid("unreadable JSON (" + excerpt(redact(String.valueOf(e.getOriginalMessage()))) + ")", null);
        }
    }

    private List<float[]> parse(byte[] body, int expected) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw invalid("the body is not JSON", null);
        }
        if (root == null || !root.isObject()) {
            throw invalid("the body is not a JSON object", null);
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw invalid("it has no \"data\" array", null);
        }
        if (data.size() != expected) {
            throw invalid("\"data\" has " + count(data.size(), "entry", "entries") + " for "
                    + count(expected, "input", "inputs"), null);
        }
        float[][] vectors = new float[expected][];
        for (int i = 0; i < expected; i++) {
            JsonNode entry = data.get(i);
            JsonNode index = entry.get("index");
            if (index == null || !index.isIntegralNumber() || !index.canConvertToInt()) {
                throw invalid("data[" + i + "].index is missing or not an integer", null);
            }
            int at = index.intValue();
            if (at < 0 || at >= expected) {
                throw invalid("data[" + i + "].index is " + at + ", outside 0.." + (expected - 1), null);
            }
            if (vectors[at] != null) {
                throw invalid("index " + at + " appears more than once", null);
            }
            vectors[at] = vector(entry.get("embedding"), i);
        }
        for (int i = 0; i < expected; i++) {
            if (vectors[i].length != dimension) {
                throw new EmbeddingException("embedding endpoint " + endpoint + " returned "
                        + vectors[i].length + "-dimensional vectors for model '" + model
                        + "' but the configured dimension is " + dimension, null);
            }
        }
        return List.of(vectors);
    }

    private float[] vector(JsonNode embedding, int entry) {
        if (embedding == null || !embedding.isArray()) {
            throw invalid("data[" + entry + "].embedding is missing or not an array of numbers", null);
        }
        float[] vector = new float[embedding.size()];
        for (int j = 0; j < vector.length; j++) {
            JsonNode element = embedding.get(j);
            float value = element.isNumber() ? (float) element.doubleValue() : Float.NaN;
            if (!Float.isFinite(value)) {
                throw invalid("data[" + entry + "].embedding[" + j + "] is not a finite number", null);
            }
            vector[j] = value;
        }
        return vector;
    }

    private EmbeddingException invalid(String why, Throwable cause) {
        return new EmbeddingException("invalid response from embedding endpoint " + endpoint + ": " + why, cause);
    }

    private String rejection(int status, byte[] body) {
        StringBuilder message = new StringBuilder("embedding endpoint ").append(endpoint)
                .append(" rejected the request: HTTP ").append(status).append(serverSaid(body));
        if (status == 401 || status == 403) {
            message.append(apiKey == null
                    ? "; no API key is configured, and the endpoint seems to need one"
                    : "; check the API key (is it valid, and allowed to use model '" + model + "'?)");
        } else if (status == 404) {
            message.append("; check the base URL and the model name '").append(model).append("'");
        } else if (status >= 300 && status <= 399) {
            message.append("; redirects are not followed, point the base URL at the final address");
        }
        return message.toString();
    }

    /** {@code , server said: "..."} with the server's error message, or nothing. */
    private String serverSaid(byte[] body) {
        String message = serverMessage(body);
        return message == null ? "" : ", server said: \"" + excerpt(redact(message)) + "\"";
    }

    private static String serverMessage(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode error = root == null ? null : root.get("error");
            if (error == null) {
                return null;
            }
            if (error.isString()) {
                return error.stringValue();
            }
            JsonNode message = error.get("message");
            return message != null && message.isString() ? message.stringValue() : null;
        } catch (JacksonException notJson) {
            return null;
        }
    }

    /** One line of at most {@link #MAX_EXCERPT} characters. */
    static String excerpt(String message) {
        String line = message.replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        return line.length() <= MAX_EXCERPT ? line : line.substring(0, MAX_EXCERPT - 1) + "…";
    }

    private String redact(String text) {
        return apiKey == null || text == null ? text : text.replace(apiKey, REDACTED);
    }

    private EmbedderUnavailableException interrupted(Exception e) {
        return new EmbedderUnavailableException("interrupted while waiting for embedding endpoint " + endpoint, e);
    }

    private String describe(Throwable e) {
        String detail = e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + e.getMessage();
        if (e instanceof HttpConnectTimeoutException) {
            return "could not connect within " + millis(timeout);
        }
        if (e instanceof AttemptTimeout) {
            return "timed out: " + e.getMessage();
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out: no complete answer within " + millis(timeout);
        }
        if (e instanceof ConnectException) {
            return "could not connect (" + e.getClass().getSimpleName() + detail + ")";
        }
        return e.getClass().getSimpleName() + detail;
    }

    private static String attempts(int n) {
        return count(n, "attempt", "attempts");
    }

    private static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }

    /** An attempt ended by this class's own bound (the timeout or the caller's time limit); says which. */
    private static final class AttemptTimeout extends HttpTimeoutException {
        AttemptTimeout(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- base URL

    /** The base URL with {@code /v1/embeddings} appended exactly once; see the class comment. */
    static URI endpointFor(URI baseUrl) {
        String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (!path.endsWith("/v1/embeddings")) {
            path += path.endsWith("/v1") ? "/embeddings" : "/v1/embeddings";
        }
        return URI.create(baseUrl.getScheme().toLowerCase(Locale.ROOT) + "://" + baseUrl.getRawAuthority() + path);
    }

    /** Configures an {@link OpenAiEmbedder}; {@code baseUrl}, {@code model} and {@code dimension} are required. */
    public static final class Builder {
        private URI baseUrl;
        private String model;
        private String apiKey;
        private int dimension;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;

        private Builder() {
        }

        /**
         * Where the server is, e.g. {@code https://api.openai.com} or {@code http://localhost:11434/v1}:
         * {@code http} or {@code https}, with a host, without credentials, query or fragment.
         * {@code /v1/embeddings} is appended as described in the class comment.
         */
        public Builder baseUrl(URI baseUrl) {
            if (baseUrl == null) {
                throw new IllegalArgumentException("baseUrl must be set, was null");
            }
            if (baseUrl.getRawUserInfo() != null) {
                // Do not echo the credentials.
                throw new IllegalArgumentException("baseUrl must not carry credentials (use apiKey), was "
                        + baseUrl.getScheme() + "://" + REDACTED + "@" + baseUrl.getHost()
                        + (baseUrl.getPort() < 0 ? "" : ":" + baseUrl.getPort())
                        + Objects.requireNonNullElse(baseUrl.getRawPath(), ""));
            }
            String scheme = baseUrl.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || baseUrl.isOpaque()) {
                throw new IllegalArgumentException("baseUrl must be an http or https URL, was " + baseUrl);
            }
            if (baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl must name a host (host names may not contain '_'), was "
                        + baseUrl);
            }
            if (baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
                throw new IllegalArgumentException("baseUrl must not have a query or a fragment, was " + baseUrl);
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /** The model name sent in every request, e.g. {@code text-embedding-3-small}. */
        public Builder model(String model) {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("model must not be blank, was "
                        + (model == null ? "null" : "\"" + model + "\""));
            }
            this.model = model.strip();
            return this;
        }

        /**
         * The bearer token, or {@code null} (or blank) for servers that need none, in which case no
         * {@code Authorization} header is sent. Surrounding whitespace is dropped.
         */
        public Builder apiKey(String apiKey) {
            if (apiKey == null || apiKey.isBlank()) {
                this.apiKey = null;
                return this;
            }
            String key = apiKey.strip();
            if (!key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
                throw new IllegalArgumentException(
                        "apiKey must consist of visible ASCII characters (value not shown)");
            }
            this.apiKey = key;
            return this;
        }

        /** The length of the model's vectors, e.g. 1536 for text-embedding-3-small; 1..65536. */
        public Builder dimension(int dimension) {
            if (dimension < 1 || dimension > 65_536) {
                throw new IllegalArgumentException("dimension must be 1..65536, was " + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        /** Longest one attempt may take, connecting and reading the whole answer included; default 10 s. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Retries after the first attempt, 0..20; default 3, so at most 4 attempts. */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0 || maxRetries > 20) {
                throw new IllegalArgumentException("maxRetries must be 0..20, was " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /** Wait before the first retry, doubled for each further one; zero or more, default 200 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            if (initialBackoff == null || initialBackoff.isNegative()) {
                throw new IllegalArgumentException("initialBackoff must be zero or positive, was " + initialBackoff);
            }
            this.initialBackoff = initialBackoff;
            return this;
        }

        /** Longest wait before a retry, Retry-After included; default 5 s, not shorter than initialBackoff. */
        public Builder maxBackoff(Duration maxBackoff) {
            if (maxBackoff == null || maxBackoff.isNegative()) {
                throw new IllegalArgumentException("maxBackoff must be zero or positive, was " + maxBackoff);
            }
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** Most texts sent in one request, 1..2048; longer lists are split. Default 256. */
        public Builder maxBatchSize(int maxBatchSize) {
            if (maxBatchSize < 1 || maxBatchSize > 2048) {
                throw new IllegalArgumentException("maxBatchSize must be 1..2048, was " + maxBatchSize);
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public OpenAiEmbedder build() {
            if (baseUrl == null) {
                throw new IllegalArgumentException("baseUrl must be set, was null");
            }
            if (model == null) {
                throw new IllegalArgumentException("model must be set, was null");
            }
            if (dimension == 0) {
                throw new IllegalArgumentException("dimension must be set, was 0");
            }
            if (maxBackoff.compareTo(initialBackoff) < 0) {
                throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff ("
                        + initialBackoff + "), was " + maxBackoff);
            }
            return new OpenAiEmbedder(this);
        }
    }
}
