package io.datastorage.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
 * <p><b>Durability.</b> The library that ships the binaries starts its servers for throw-away test
 * databases: {@code -F} (fsync off) on the command line and {@code synchronous_commit=off}, so a
 * commit returns before its WAL is written and a killed server loses acknowledged transactions.
 * This class overrides every setting that bears on durability with {@link #DURABLE_SETTINGS}
 * (a {@code -c} option given after {@code -F} wins), and {@link PostgresDurability} checks at
 * start-up that the running server really reports them.
 *
 * <p>The server runs as a separate process. If the JVM that started it died without stopping it
 * (SIGKILL, OOM kill), that server still holds the data directory; {@link #start} stops such a
 * leftover first (a "fast" shutdown, which keeps every committed transaction) instead of failing.
 * If the server dies while this process runs, {@link #restart()} starts it again on the same data
 * directory and port; PostgreSQL's crash recovery replays the WAL, so every committed transaction
 * is there again ({@link PostgresWatchdog} notices the death and calls it).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /**
     * The settings that make a commit durable, each set explicitly whatever the library's or
     * PostgreSQL's default (PostgreSQL documentation, "Reliability and the Write-Ahead Log" and
     * "Non-Durable Settings"):
     * <ul>
     *   <li>{@code fsync=on}: WAL and data files reach the disk, not only the OS cache;</li>
     *   <li>{@code synchronous_commit=on}: a commit returns only after its WAL is flushed;</li>
     *   <li>{@code full_page_writes=on}: a page torn by a crash mid-write is restored from the WAL;</li>
     *   <li>{@code wal_sync_method=fdatasync}: Linux's default, named so no build changes it;</li>
     *   <li>{@code data_sync_retry=off}: a failed fsync stops the server (PANIC) and crash
     *       recovery replays the WAL, instead of retrying a flush whose data the kernel may have
     *       dropped;</li>
     *   <li>{@code restart_after_crash=on}: when one backend dies (an OOM kill picks the largest),
     *       the postmaster reinitialises and recovers by itself;</li>
     *   <li>{@code zero_damaged_pages=off}, {@code ignore_checksum_failure=off}: a damaged page is
     *       an error, never silently emptied or read.</li>
     * </ul>
     */
    public static final Map<String, String> DURABLE_SETTINGS = Map.of(
            "fsync", "on",
            "synchronous_commit", "on",
            "full_page_writes", "on",
            "wal_sync_method", "fdatasync",
            "data_sync_retry", "off",
            "restart_after_crash", "on",
            "zero_damaged_pages", "off",
            "ignore_checksum_failure", "off");

    /** How long a start may take by default, crash recovery included. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** The file the library locks in the data directory while one of its handles owns it. */
    private static final String LIBRARY_LOCK_FILE = "epg-lock";

    private final Path dataDirectory;
    private final int port;
    private final Duration startupTimeout;
    private volatile EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory, Duration startupTimeout) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        this.port = postgres.getPort();
        this.startupTimeout = startupTimeout;
    }

    /**
     * Starts (initialising if empty) the cluster in {@code dataDirectory}.
     *
     * @param port TCP port on loopback, or 0 for any free port
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
        return start(dataDirectory, port, DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * @param startupTimeout how long a start (and each {@link #restart()}) may take before it counts
     *                       as failed, crash recovery included
     */
    public static EmbeddedPostgresServer start(Path dataDirectory, int port, Duration startupTimeout) {
        try {
            return new EmbeddedPostgresServer(startServer(dataDirectory, port, startupTimeout), dataDirectory,
                    startupTimeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    private static EmbeddedPostgres startServer(Path dataDirectory, int port, Duration startupTimeout) throws IOException {
        Files.createDirectories(dataDirectory);
        stopLeftoverServer(dataDirectory);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(startupTimeout)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "200")
                .setServerConfig("shared_buffers", "128MB");
        DURABLE_SETTINGS.forEach(builder::setServerConfig);
        if (port > 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    /**
     * Whether the server accepts connections: a TCP connection to its port within one second. Only
     * the postmaster listens (backends close the listening socket), so a refused connection means
     * the server is gone, whatever its children still do.
     */
    public boolean isRunning() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Starts the server again on the same data directory and port after it died (crash recovery
     * replays the WAL, so every committed transaction is back). A server still running is left
     * alone. Connections to the old server are broken; pools reconnect to the same address.
     *
     * @throws UncheckedIOException when the server cannot be started; the caller may try again
     */
    public synchronized void restart() {
        if (isRunning()) {
            return;
        }
        OptionalLong starting = postmasterPid().stream()
                .filter(pid -> ProcessHandle.of(pid).filter(EmbeddedPostgresServer::isPostgres).isPresent())
                .findFirst();
        if (starting.isPresent()) {
            // A start that outlived its timeout goes on (crash recovery of a large WAL can be slow);
            // stopping it to start again would never let it finish.
            throw new UncheckedIOException(new IOException("PostgreSQL (pid " + starting.getAsLong()
                    + ") is still starting in " + dataDirectory + "; not accepting connections yet"));
        }
        try {
            // Releases the library's lock on the data directory; stopping the dead server fails
            // quietly.
            postgres.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Closing the handle of the dead PostgreSQL server failed: {}", e.getMessage());
        }
        try {
            // A start that failed leaves the library's lock on its file held by a handle we never
            // got (its constructor threw), so every later attempt in this process would fail to
            // lock. This process owns the data directory (its server is dead, and PostgreSQL's own
            // postmaster.pid still guards against a second server), so a fresh lock file is safe.
            Files.deleteIfExists(dataDirectory.resolve(LIBRARY_LOCK_FILE));
            postgres = startServer(dataDirectory, port, startupTimeout);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("cannot restart embedded PostgreSQL in " + dataDirectory + ": "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()),
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    /** The pid of the running postmaster, from the first line of {@code postmaster.pid}. */
    public OptionalLong postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
            return !lines.isEmpty() && lines.getFirst().strip().matches("\\d+")
                    ? OptionalLong.of(Long.parseLong(lines.getFirst().strip())) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
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
                .filter(EmbeddedPostgresServer::isPostgres);
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

    /** A live postgres process (a zombie shows no command). */
    private static boolean isPostgres(ProcessHandle process) {
        return process.isAlive() && process.info().command().map(c -> c.endsWith("postgres")).orElse(false);
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public String user() {
        return "postgres";
    }

    public int port() {
        return port;
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
