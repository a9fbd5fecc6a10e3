package io.datastorage.cache.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A real {@code redis-server} (6.2, the binary bundled in {@code com.github.codemonstur:embedded-redis})
 * on a free loopback port, for tests that need a Redis to break: {@link #stop()} it, {@link #restart()}
 * it on the same port, or {@link #pause(Duration)} it so that it accepts connections but answers
 * nothing.
 *
 * <p>No persistence (no RDB, no AOF), no password, database 0. Stopping sends SIGTERM and waits for
 * the process to exit, so the port is free for a restart. The process is also stopped by a JVM
 * shutdown hook (registered by embedded-redis on each start), so none survives the test run; use
 * try-with-resources or {@link #close()} anyway.
 *
 * <p>Modules using this class from the test-jar must also depend on {@code embedded-redis} (test scope).
 */
public final class RedisTestServer implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    private static final int START_ATTEMPTS = 5;
    /** The binary, extracted once per JVM rather than once per server. */
    private static final ExecutableProvider BINARY = new ExecutableProvider() {
        private File extracted;

        @Override
        public synchronized File get() throws IOException {
            if (extracted == null) {
                extracted = ExecutableProvider.newJarResourceProvider().get();
            }
            return extracted;
        }
    };

    private final int port;
    private final RedisServer server;

    private RedisTestServer(int port, RedisServer server) {
        this.port = port;
        this.server = server;
    }

    /** Starts a server on a free loopback port (retrying on another port if that one was taken meanwhile). */
    public static RedisTestServer start() {
        IOException failure = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = freePort();
            try {
                RedisServer server = RedisServer.newRedisServer()
                        .executableProvider(BINARY)
                        .bind(LOOPBACK)
                        .port(port)
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .onShutdownForceStop(false) // SIGTERM and wait: the port is free when stop() returns
                        .build();
                server.start();
                return new RedisTestServer(port, server);
            } catch (IOException e) {
                failure = e;
            }
        }
        throw new UncheckedIOException("cannot start redis-server", failure);
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://" + LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server; returns once the process has exited. Does nothing if it is stopped. */
    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server again on the same port (empty: nothing is persisted). Does nothing if it runs. */
    public void restart() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restart redis-server on port " + port, e);
        }
    }

    public boolean isRunning() {
        return server.isActive();
    }

    /**
     * Makes the server hold every client's commands for this long ({@code CLIENT PAUSE <ms> ALL}):
     * connections are accepted, commands are read but not answered until the pause ends, as with an
     * overloaded or hung server. The pause cannot be cut short.
     */
    public void pause(Duration duration) {
        withConnection(redis -> redis.clientPause(duration.toMillis()));
    }

    /** The keys matching a glob pattern ({@code KEYS}; fine for tests). */
    public List<String> keys(String pattern) {
        return withConnection(redis -> redis.keys(pattern));
    }

    /** Runs commands on a fresh connection of its own (string keys and values). */
    public <T> T withConnection(Function<RedisCommands<String, String>, T> commands) {
        RedisClient client = RedisClient.create(uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return commands.apply(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "RedisTestServer[" + uri() + (isRunning() ? "" : ", stopped") + "]";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
