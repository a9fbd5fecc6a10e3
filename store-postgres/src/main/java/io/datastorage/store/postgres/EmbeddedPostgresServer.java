package io.datastorage.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real PostgreSQL server run by this process, its data under a directory of ours: the database
 * of the embedded deployment shape and of the tests.
 *
 * <p>The server binaries come from a Maven Central artifact (zonky), so nothing has to be
 * installed. When the data directory already holds a cluster it is reused, so records survive a
 * restart. When this process runs as root, the server is started inside a user namespace
 * ({@code unshare -U}) because PostgreSQL refuses to run as root.
 *
 * <p>The server runs as a separate process. If the JVM that started it died without stopping it
 * (SIGKILL, OOM kill), that server still holds the data directory; {@link #start} stops such a
 * leftover first (a "fast" shutdown, which keeps every committed transaction) instead of failing.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts (initialising if empty) the cluster in {@code dataDirectory}.
     *
     * @param port TCP port on loopback, or 0 for any free port
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
        try {
            Files.createDirectories(dataDirectory);
            stopLeftoverServer(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "128MB");
            if (port > 0) {
                builder.setPort(port);
            }
            return new EmbeddedPostgresServer(builder.start(), dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops a server left running on {@code dataDirectory} by a process that died. PostgreSQL
     * writes its pid as the first line of {@code postmaster.pid}; a pid that is no longer a
     * postgres process is a stale file, which PostgreSQL itself clears on start.
     */
    static void stopLeftoverServer(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || !lines.getFirst().strip().matches("\\d+")) {
            return;
        }
        Optional<ProcessHandle> leftover = ProcessHandle.of(Long.parseLong(lines.getFirst().strip()))
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (leftover.isEmpty()) {
            return;
        }
        log.warn("A PostgreSQL server (pid {}) left running by an earlier process holds {}; stopping it",
                leftover.get().pid(), dataDirectory);
        // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
        new ProcessBuilder("kill", "-INT", String.valueOf(leftover.get().pid())).inheritIO().start();
        try {
            leftover.get().onExit().get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the leftover PostgreSQL server (pid " + leftover.get().pid()
                    + ") did not stop within 60 s; stop it by hand", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the leftover PostgreSQL server", e);
        } catch (ExecutionException e) {
            throw new IOException(e);
        }
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public String user() {
        return "postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Stops the server with a fast shutdown: open transactions roll back, committed data stays. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop embedded PostgreSQL: " + e.getMessage(), e);
        }
    }
}
