package io.datastorage.bench;

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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The service as a user runs it ({@code ./datastorage serve}, embedded defaults, the launcher's JVM
 * options), on a fresh data directory and free ports. Closing it stops the service with SIGTERM (a graceful
 * shutdown that also stops its embedded PostgreSQL) and, should that hang, kills it and the
 * PostgreSQL it left.
 */
final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final int apiPort;
    private final int metricsPort;
    private final int postgresPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Thread stopOnExit = new Thread(this::stop, "stop-service");

    private ServiceProcess(Process process, Path dataDir, int apiPort, int metricsPort, int postgresPort) {
        this.process = process;
        this.dataDir = dataDir;
        this.apiPort = apiPort;
        this.metricsPort = metricsPort;
        this.postgresPort = postgresPort;
    }

    /**
     * Starts {@code launcher serve} on {@code dataDir} and waits until {@code /readyz} answers 200;
     * its output goes to {@code log}.
     */
    static ServiceProcess start(Path launcher, Path dataDir, Path log) {
        return start(launcher, dataDir, log, List.of());
    }

    /** As {@link #start(Path, Path, Path)}, with {@code settings} ({@code --name=value}) added to the command line. */
    static ServiceProcess start(Path launcher, Path dataDir, Path log, List<String> settings) {
        try {
            Files.createDirectories(dataDir);
            int apiPort = freePort();
            int metricsPort = freePort();
            int postgresPort = freePort();
            List<String> command = new ArrayList<>(List.of(launcher.toString(), "serve", "--data-dir=" + dataDir,
                    "--port=" + apiPort, "--management.server.port=" + metricsPort,
                    "--datastorage.db.embedded-port=" + postgresPort));
            command.addAll(settings);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("DATASTORAGE_SKIP_BUILD", "1"); // run.sh has built it; sources may change meanwhile
            Process process = builder.start();
            ServiceProcess service = new ServiceProcess(process, dataDir, apiPort, metricsPort, postgresPort);
            Runtime.getRuntime().addShutdownHook(service.stopOnExit);
            service.awaitReady(log);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the service with " + launcher, e);
        }
    }

    /**
     * Starts {@code launcher serve} as one replica of the cluster shape: its settings come from
     * {@code environment} (as a container gets them), its API and management ports are given, its
     * PostgreSQL is external (so {@link #cpu()} counts the JVM only). Waits until {@code /readyz}
     * answers 200; its output goes to {@code log}.
     */
    static ServiceProcess startReplica(Path launcher, Path dataDir, Path log, int apiPort, int metricsPort,
                                       Map<String, String> environment) {
        try {
            Files.createDirectories(dataDir);
            ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "serve", "--data-dir=" + dataDir,
                    "--port=" + apiPort, "--management.server.port=" + metricsPort)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            builder.environment().put("DATASTORAGE_SKIP_BUILD", "1");
            Process process = builder.start();
            ServiceProcess service = new ServiceProcess(process, dataDir, apiPort, metricsPort, 0);
            Runtime.getRuntime().addShutdownHook(service.stopOnExit);
            service.awaitReady(log);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the service with " + launcher, e);
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + " before it was ready; see " + log);
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(api("/readyz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        stop();
        throw new IllegalStateException("the service was not ready within 3 minutes; see " + log);
    }

    int apiPort() {
        return apiPort;
    }

    int metricsPort() {
        return metricsPort;
    }

    URI api(String path) {
        return URI.create("http://127.0.0.1:" + apiPort + path);
    }

    /** JDBC URL of the service's embedded PostgreSQL, for reading back what it stored. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
    }

    /** The value of a counter or gauge in the service's Prometheus text, summed over its label sets. */
    double metric(String name) {
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * CPU time so far of the service's JVM and, separately, of its PostgreSQL: the postmaster (whose
     * pid is the first line of {@code postmaster.pid}; pg_ctl detaches it from the JVM), its
     * backends and workers, and, on Linux, those that have exited (the postmaster reaps them, so
     * the kernel adds their time to its {@code cutime}/{@code cstime}). Elsewhere exited workers
     * are missed and PostgreSQL's share is a lower bound.
     */
    Cpu cpu() {
        double postgres = postmaster().map(p -> cpuWithReapedChildren(p) + p.descendants().mapToDouble(ServiceProcess::cpuSeconds).sum())
                .orElse(0.0);
        return new Cpu(cpuSeconds(process.toHandle()), postgres);
    }

    /** utime + stime + cutime + cstime from /proc (fields 14 to 17, in clock ticks of 1/100 s). */
    static double cpuWithReapedChildren(ProcessHandle process) {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // fields[0] is field 3
            long ticks = 0;
            for (int field = 14; field <= 17; field++) {
                ticks += Long.parseLong(fields[field - 3]);
            }
            return ticks / 100.0;
        } catch (IOException | RuntimeException e) {
            return cpuSeconds(process);
        }
    }

    private Optional<ProcessHandle> postmaster() {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        try {
            return ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).getFirst().strip()))
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(true));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Starts a JFR recording in the service (jcmd, from the JDK running this benchmark). */
    void startRecording(String name) {
        jcmd("JFR.start", "name=" + name, "settings=profile");
    }

    /** Stops the recording and writes it to {@code file}. */
    void stopRecording(String name, Path file) {
        jcmd("JFR.stop", "name=" + name, "filename=" + file.toAbsolutePath());
    }

    private void jcmd(String... command) {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        List<String> line = new ArrayList<>(List.of(java.resolveSibling("jcmd").toString(), String.valueOf(process.pid())));
        line.addAll(List.of(command));
        try {
            Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(jcmd.getInputStream().readAllBytes());
            if (jcmd.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Cpu(double service, double postgres) {
    }

    static double cpuSeconds(ProcessHandle handle) {
        return handle.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    private void stop() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                stopLeftoverPostgres();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A killed service leaves its PostgreSQL running. */
    private void stopLeftoverPostgres() {
        postmaster().ifPresent(ProcessHandle::destroy); // SIGTERM: smart shutdown, its clients are gone
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
        http.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
