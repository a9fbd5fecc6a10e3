package io.datastorage.server;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The real service in its embedded shape (its own PostgreSQL under a data directory), on random
 * ports, driven over HTTP. {@link #shared()} is one instance for every test class that does not
 * need a service of its own.
 */
public final class RunningService implements AutoCloseable {
    private static RunningService shared;

    private final ConfigurableApplicationContext context;
    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    private RunningService(ConfigurableApplicationContext context, Path dataDir) {
        this.context = context;
        this.dataDir = dataDir;
    }

    private static Path root;

    public static synchronized RunningService shared() {
        if (shared == null) {
            shared = start(newDataDir());
        }
        return shared;
    }

    /**
     * A fresh data directory. All of them live under one root that is deleted when the test JVM
     * exits, after the shared service (and its database) stopped.
     */
    public static synchronized Path newDataDir() {
        try {
            if (root == null) {
                root = Files.createTempDirectory("datastorage-test");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    if (shared != null) {
                        shared.close();
                    }
                    FileSystemUtils.deleteRecursively(root.toFile());
                }));
            }
            return Files.createTempDirectory(root, "data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RunningService start(Path dataDir, String... extraArgs) {
        return start(new Class<?>[]{DatastorageApplication.class}, dataDir, extraArgs);
    }

    /** With extra configuration classes, e.g. one that replaces a bean by a test double. */
    public static RunningService start(Class<?>[] sources, Path dataDir, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--datastorage.data-dir=" + dataDir,
                "--server.port=0",
                "--management.server.port=0"));
        args.addAll(List.of(extraArgs));
        return new RunningService(SpringApplication.run(sources, args.toArray(String[]::new)), dataDir);
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public Path dataDir() {
        return dataDir;
    }

    public URI api(String path) {
        return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path);
    }

    public URI management(String path) {
        return URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port") + path);
    }

    public HttpResponse<String> postJson(String path, String body, String... headers) {
        return send(HttpRequest.newBuilder(api(path)).header("Content-Type", "application/json")
                .headers(headers.length == 0 ? new String[]{"Accept", "*/*"} : headers)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> post(String path, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(api(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    public HttpResponse<String> get(String path) {
        return get(api(path));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        return send(request, Duration.ofSeconds(60));
    }

    /** Sends {@code request}, waiting at most {@code timeout} for the answer (a long admin job's run). */
    public HttpResponse<String> send(HttpRequest.Builder request, Duration timeout) {
        try {
            return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A valid record body of the kind, as JSON text, with {@code name} set. */
    public static String validRecord(String kind, String name) {
        String shared = "\"name\":\"" + name + "\",\"namespace\":\"prod\",\"phase\":\"Completed\","
                + "\"createdAt\":\"2026-11-20T10:00:00Z\",\"correlationId\":\"corr-" + name + "\"";
        return "{" + shared + switch (kind) {
            case "remediation" -> ",\"signalType\":\"prometheus\",\"signalName\":\"PodOOMKilled\",\"signalNamespace\":\"prod\","
                    + "\"targetType\":\"Deployment\",\"targetName\":\"api\",\"targetNamespace\":\"prod\"";
            case "aianalysis" -> ",\"rootCause\":\"memory leak\",\"confidence\":0.87,\"model\":\"gpt\"";
            case "workflow" -> ",\"workflowName\":\"restart\",\"step\":\"drain\"";
            case "execution" -> ",\"targetType\":\"Pod\",\"targetName\":\"api-1\",\"targetNamespace\":\"prod\","
                    + "\"action\":\"delete-pod\",\"exitCode\":0";
            default -> throw new IllegalArgumentException(kind);
        } + "}";
    }

    public static final List<String> KINDS = List.of("remediation", "aianalysis", "workflow", "execution");


    @Override
    public void close() {
        context.close();
    }
}
