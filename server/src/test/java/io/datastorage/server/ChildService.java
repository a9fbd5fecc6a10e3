package io.datastorage.server;

import io.datastorage.server.cli.DatastorageCli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The service as a child JVM (the same {@code java}, the same class path) on a data directory, for
 * tests where the process must really die: {@code process.destroyForcibly()} is a SIGKILL, with no
 * shutdown hook, and the embedded PostgreSQL it started outlives it, for the next start-up (or
 * {@link #stopLeftoverPostgres}) to deal with. Its output goes to {@code <dataDir>/<name>.log}.
 * Public for the multi-process tests of other packages (the cluster shape's).
 */
public final class ChildService {
    public final String name;
    public final Process process;
    public final Path log;
    public final int apiPort;
    private final HttpClient http;

    private ChildService(String name, Process process, Path log, int apiPort, HttpClient http) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.apiPort = apiPort;
        this.http = http;
    }

    /**
     * Starts {@code serve} on the data directory, its embedded PostgreSQL on {@code postgresPort},
     * and waits until it is ready.
     *
     * @param extraArgs more command-line options for the service
     */
    public static ChildService start(String name, Path dataDir, int postgresPort, HttpClient http, String... extraArgs)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--datastorage.db.embedded-port=" + postgresPort));
        args.addAll(List.of(extraArgs));
        return start(name, dataDir, http, args);
    }

    /**
     * Starts {@code serve} on the data directory with exactly {@code args} besides the data
     * directory and the ports (an external database, for one, is the caller's to name), and waits
     * until it is ready.
     */
    public static ChildService start(String name, Path dataDir, HttpClient http, List<String> args) throws IOException {
        int apiPort = freePort();
        Path log = dataDir.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                DatastorageCli.class.getName(), "serve",
                "--data-dir=" + dataDir, "--port=" + apiPort,
                "--management.server.port=" + freePort()));
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ChildService service = new ChildService(name, process, log, apiPort, http);
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(service::ready);
        } catch (RuntimeException e) {
            service.printLogTail();
            service.kill();
            throw e;
        }
        return service;
    }

    public URI api(String path) {
        return URI.create("http://127.0.0.1:" + apiPort + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(api(path)).GET());
    }

    public HttpResponse<String> postJson(String path, String body) {
        return send(HttpRequest.newBuilder(api(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the " + name + " service exited with " + process.exitValue()
                    + " before it was ready");
        }
        try {
            return get("/readyz").statusCode() == 200;
        } catch (UncheckedIOException notYet) {
            return false;
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void printLogTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            System.out.println("---- last lines of the " + name + " service's output (" + log + ") ----");
            lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
        } catch (IOException e) {
            System.out.println("cannot read " + log + ": " + e);
        }
    }

    /** The embedded PostgreSQL a killed service left running on the data directory, if any. */
    public static void stopLeftoverPostgres(Path dataDir) {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).getFirst().strip()))
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false))
                    .ifPresent(postgres -> {
                        postgres.destroy(); // SIGTERM: smart shutdown, its clients are gone
                        if (postgres.onExit().completeOnTimeout(postgres, 30, TimeUnit.SECONDS).join().isAlive()) {
                            postgres.destroyForcibly();
                        }
                    });
        } catch (IOException | RuntimeException e) {
            System.err.println("Could not stop a leftover PostgreSQL in " + pidFile.getParent() + ": " + e);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
