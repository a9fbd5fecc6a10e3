package io.datastorage.embedding.openai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A local server speaking the OpenAI embeddings protocol. Each request takes the next scripted
 * {@link Reply} from a queue; when the queue is empty it answers with {@link #vectorFor valid
 * vectors}, the entries in reverse index order. Every request is recorded.
 */
final class FakeEmbeddingServer implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A request as the server saw it. */
    record Recorded(String method, String path, Map<String, List<String>> headers, JsonNode body, long nanoTime) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst().orElse(null);
        }

        List<String> input() {
            List<String> input = new ArrayList<>();
            body.get("input").forEach(node -> input.add(node.stringValue()));
            return input;
        }
    }

    /** What to answer; {@code hang} never answers, {@code stallBody} sends headers and then nothing. */
    record Reply(int status, Map<String, String> headers, String body, boolean hang, boolean stallBody) {
        static Reply of(int status, String body) {
            return new Reply(status, Map.of(), body, false, false);
        }

        static Reply withHeader(int status, String header, String value, String body) {
            return new Reply(status, Map.of(header, value), body, false, false);
        }

        static Reply hanging() {
            return new Reply(0, Map.of(), "", true, false);
        }

        static Reply stallingBody() {
            return new Reply(200, Map.of(), "", false, true);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Queue<Function<Recorded, Reply>> script = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final int dimension;

    FakeEmbeddingServer(int dimension) throws IOException {
        this.dimension = dimension;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}, without path. */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    FakeEmbeddingServer enqueue(Reply reply) {
        script.add(request -> reply);
        return this;
    }

    FakeEmbeddingServer enqueue(int status, String body) {
        return enqueue(Reply.of(status, body));
    }

    FakeEmbeddingServer enqueue(Function<Recorded, Reply> replier) {
        script.add(replier);
        return this;
    }

    /** Every further request (once the queue is drained) gets this reply. */
    FakeEmbeddingServer always(Reply reply) {
        this.fallback = request -> reply;
        return this;
    }

    private volatile Function<Recorded, Reply> fallback = this::validReply;

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The vector the default reply gives a text: exact binary fractions, so they survive JSON. */
    static float[] vectorFor(String text, int dimension) {
        float[] vector = new float[dimension];
        for (int k = 0; k < dimension; k++) {
            vector[k] = ((text.hashCode() & 0xff) + k) / 8f;
        }
        return vector;
    }

    /** An answer for these texts with vectors of the given length, entries in reverse order. */
    static String body(List<String> texts, int dimension) {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (int i = texts.size() - 1; i >= 0; i--) {
            ObjectNode entry = data.addObject();
            entry.put("object", "embedding");
            entry.put("index", i);
            ArrayNode embedding = entry.putArray("embedding");
            for (float value : vectorFor(texts.get(i), dimension)) {
                embedding.add(value);
            }
        }
        root.put("model", "fake");
        root.putObject("usage").put("prompt_tokens", 1).put("total_tokens", 1);
        return root.toString();
    }

    private Reply validReply(Recorded request) {
        return Reply.of(200, body(request.input(), dimension));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            JsonNode body = bytes.length == 0 ? null : JSON.readTree(bytes);
            Recorded request = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime());
            requests.add(request);
            Function<Recorded, Reply> next = script.poll();
            Reply reply = (next == null ? fallback : next).apply(request);
            if (reply.hang()) {
                awaitRelease();
                return;
            }
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            if (reply.stallBody()) {
                exchange.sendResponseHeaders(200, 0); // chunked: the body never comes
                exchange.getResponseBody().write("{\"data\":[".getBytes(StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
                awaitRelease();
                return;
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream stream = exchange.getResponseBody()) {
                    stream.write(out);
                }
            }
        } catch (IOException e) {
            // The client went away (timeouts, cancelled requests): nothing to answer.
        }
    }

    private void awaitRelease() {
        try {
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
