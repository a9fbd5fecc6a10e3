package io.datastorage.cache.redis;

import io.datastorage.core.embedding.EmbeddingCache;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link EmbeddingCache} shared by every replica, kept in Redis through Lettuce.
 *
 * <p><b>Contract.</b> Each entry is one Redis string under {@code keyPrefix + key}, written with
 * {@code SET ... PX ttl} so that Redis expires it. {@link #getAll} is a single {@code MGET};
 * {@link #putAll} sends one {@code SET} per entry without waiting between them (Lettuce pipelines
 * commands on its single connection) and then awaits them all. Every call is bounded: it fails with a
 * {@link RedisCacheException} (or another {@link RuntimeException} from Lettuce) after about the
 * command timeout, and at most about twice that when a connection must first be established. The
 * caller counts the failure and computes the vectors itself, so a sick Redis costs latency bounded
 * by the command timeout, never an outage.
 *
 * <p><b>Failing fast.</b> The client is configured with
 * {@link DisconnectedBehavior#REJECT_COMMANDS}: while the connection is down, commands fail at once
 * instead of being buffered until Redis returns (Lettuce's default), which would make every call
 * wait for the full timeout and pile up memory. Auto-reconnect stays on, with its back-off capped at
 * one second (Lettuce's default grows to 30 s), so calls work again soon after Redis is back, without
 * a restart. A command timeout (Lettuce {@link TimeoutOptions}) bounds a Redis that accepts
 * connections but answers slowly or not at all.
 *
 * <p><b>Starting without Redis.</b> Construction never contacts Redis synchronously: it starts a
 * connection attempt in the background. If that attempt fails, the next call starts a new one (all
 * concurrent calls share one attempt), so the application starts while Redis is down and the cache
 * begins to work once Redis is reachable. Once established, the connection is kept and re-established
 * by Lettuce itself.
 *
 * <p><b>Encoding.</b> A vector is stored as its float32 elements in little-endian order, 4 bytes each,
 * nothing else: compact (a 384-dimension vector is 1536 bytes, against about 4 KB as text), exact (no
 * decimal round trip, every bit pattern comes back), and the layout used by numpy's
 * {@code tobytes()} and by Redis' own vector search {@code FLOAT32} fields, so other tools can read
 * the entries. The dimension follows from the length; a value whose length is not a multiple of 4 was
 * not written by this class and is treated as a miss.
 *
 * <p><b>Credentials.</b> The password in the URI is used to authenticate and appears nowhere else:
 * {@link #describe()}, exception messages and logs name the server as
 * {@code redis://host:port/database}.
 *
 * <p>Instances are thread-safe. {@link #close()} closes the connection and releases Lettuce's threads.
 */
public final class RedisEmbeddingCache implements EmbeddingCache {

    /** Prefix of every key written, so that entries are recognisable and can be listed or purged. */
    public static final String DEFAULT_KEY_PREFIX = "datastorage:embedding:";

    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String description;
    private final String keyPrefix;
    private final SetArgs setArgs;
    private final Duration commandTimeout;

    private final Object lock = new Object();
    /** The current connection attempt, or the established connection; guarded by {@link #lock}. */
    private CompletableFuture<StatefulRedisConnection<String, byte[]>> connection;
    private boolean closed;

    private RedisEmbeddingCache(RedisURI uri, Duration ttl, Duration commandTimeout, String keyPrefix) {
        this.uri = uri;
        this.description = describe(uri);
        this.keyPrefix = keyPrefix;
        this.setArgs = SetArgs.Builder.px(ttl);
        this.commandTimeout = commandTimeout;
        uri.setTimeout(commandTimeout); // also bounds the connection handshake (HELLO, AUTH, SELECT)
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        synchronized (lock) {
            connectionAttempt(); // in the background: a failure is remembered, not thrown
        }
    }

    /**
     * A cache on the Redis server at {@code redisUri}, with keys under {@link #DEFAULT_KEY_PREFIX}.
     *
     * @see #connect(String, Duration, Duration, String)
     */
    public static RedisEmbeddingCache connect(String redisUri, Duration ttl, Duration commandTimeout) {
        return connect(redisUri, ttl, commandTimeout, DEFAULT_KEY_PREFIX);
    }

    /**
     * A cache on the Redis server at {@code redisUri}. Does not wait for, nor require, the server.
     *
     * @param redisUri {@code redis://[[username]:password@]host[:port][/database]}, or {@code rediss://}
     *     for TLS
     * @param ttl how long each entry lives (millisecond precision, at least 1 ms)
     * @param commandTimeout how long a command, and a connection attempt, may take
     * @param keyPrefix prepended to every key; may be empty
     * @throws IllegalArgumentException if the URI is not a valid standalone Redis URI (the message
     *     shows it with the password redacted), or a duration is not positive
     */
    public static RedisEmbeddingCache connect(String redisUri, Duration ttl, Duration commandTimeout,
            String keyPrefix) {
        RedisURI uri = parse(redisUri);
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 ms: " + ttl);
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException("commandTimeout must be positive: " + commandTimeout);
        }
        return new RedisEmbeddingCache(uri, ttl, commandTimeout, Objects.requireNonNull(keyPrefix, "keyPrefix"));
    }

    @Override
    public Map<String, float[]> getAll(Collection<String> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        List<String> requested = List.copyOf(keys);
        String[] redisKeys = requested.stream().map(keyPrefix::concat).toArray(String[]::new);
        List<KeyValue<String, byte[]>> values;
        try {
            values = LettuceFutures.awaitOrCancel(commands().mget(redisKeys), commandTimeout.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RedisException e) {
            throw failure("MGET of " + redisKeys.length + " keys", e);
        }
        Map<String, float[]> found = HashMap.newHashMap(requested.size());
        for (int i = 0; i < requested.size(); i++) {
            KeyValue<String, byte[]> value = values.get(i);
            if (value.hasValue() && value.getValue().length % Float.BYTES == 0) {
                found.put(requested.get(i), decode(value.getValue()));
            }
        }
        return found;
    }

    @Override
    public void putAll(Map<String, float[]> vectors) {
        if (vectors.isEmpty()) {
            return;
        }
        RedisAsyncCommands<String, byte[]> commands = commands();
        List<RedisFuture<String>> writes = new ArrayList<>(vectors.size());
        try {
            vectors.forEach((key, vector) -> writes.add(commands.set(keyPrefix + key, encode(vector), setArgs)));
            if (!LettuceFutures.awaitAll(commandTimeout, writes.toArray(RedisFuture[]::new))) {
                throw new RedisCacheException("SET of " + writes.size() + " entries on " + description
                        + " timed out after " + commandTimeout.toMillis() + " ms", null);
            }
        } catch (RedisException e) {
            throw failure("SET of " + vectors.size() + " entries", e);
        }
    }

    /** The server as {@code redis://host:port/database} ({@code rediss://} with TLS), without credentials. */
    @Override
    public String describe() {
        return description;
    }

    /** Closes the connection and shuts down Lettuce's threads. Later calls fail; closing again does nothing. */
    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, byte[]>> current;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            current = connection;
        }
        if (current.isDone() && !current.isCompletedExceptionally()) {
            current.join().close();
        }
        client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
        resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "RedisEmbeddingCache[" + description + ", prefix=" + keyPrefix + "]";
    }

    /**
     * The established connection's commands; establishes it first if needed, waiting at most the
     * command timeout. Concurrent callers share one attempt; a failed attempt is replaced by the next call.
     */
    private RedisAsyncCommands<String, byte[]> commands() {
        CompletableFuture<StatefulRedisConnection<String, byte[]>> attempt;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed: " + this);
            }
            if (connection.isCompletedExceptionally()) {
                connectionAttempt();
            }
            attempt = connection;
        }
        try {
            return attempt.get(commandTimeout.toNanos(), TimeUnit.NANOSECONDS).async();
        } catch (ExecutionException e) {
            throw new RedisCacheException("cannot connect to " + description + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new RedisCacheException("connecting to " + description + " timed out after "
                    + commandTimeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisCacheException("interrupted while connecting to " + description, e);
        }
    }

    private void connectionAttempt() {
        connection = client.connectAsync(CODEC, uri).toCompletableFuture();
    }

    private RedisCacheException failure(String operation, RedisException e) {
        return new RedisCacheException(operation + " on " + description + " failed: " + e.getMessage(), e);
    }

    static byte[] encode(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return bytes.array();
    }

    static float[] decode(byte[] bytes) {
        float[] vector = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
        return vector;
    }

    /** Parses a standalone Redis URI; an invalid one is reported with its password redacted. */
    static RedisURI parse(String redisUri) {
        Objects.requireNonNull(redisUri, "redisUri");
        RedisURI uri;
        try {
            uri = RedisURI.create(redisUri);
        } catch (RuntimeException e) {
            // Not chained: the cause's message (java.net.URI's in particular) quotes the whole URI.
            String reason = String.valueOf(e.getMessage()).replace(redisUri, redact(redisUri));
            String secret = secret(redisUri);
            if (!secret.isEmpty()) {
                reason = reason.replace(secret, "***");
            }
            throw invalid(redisUri, reason);
        }
        String host = uri.getHost();
        // java.net.URI leaves the host null for "host:notaport"; Lettuce then takes the whole authority.
        boolean badHost = host == null || host.isBlank() || host.contains(":") && !host.startsWith("[");
        if (badHost || uri.getSocket() != null || !uri.getSentinels().isEmpty()) {
            throw invalid(redisUri, "expected redis://[[username]:password@]host[:port][/database] or rediss://...");
        }
        return uri;
    }

    private static IllegalArgumentException invalid(String redisUri, String reason) {
        return new IllegalArgumentException("invalid Redis URI '" + redact(redisUri) + "': " + reason);
    }

    /** The URI with everything between the scheme and the last '@' but the user name replaced by "***". */
    static String redact(String redisUri) {
        int at = redisUri.lastIndexOf('@');
        if (at < 0) {
            return redisUri;
        }
        int start = userInfoStart(redisUri);
        String userInfo = redisUri.substring(start, at);
        int colon = userInfo.indexOf(':');
        String user = colon >= 0 ? userInfo.substring(0, colon + 1) : ""; // no colon: Lettuce reads a password
        return redisUri.substring(0, start) + user + "***" + redisUri.substring(at);
    }

    private static String secret(String redisUri) {
        int at = redisUri.lastIndexOf('@');
        if (at < 0) {
            return "";
        }
        String userInfo = redisUri.substring(userInfoStart(redisUri), at);
        return userInfo.substring(userInfo.indexOf(':') + 1);
    }

    private static int userInfoStart(String redisUri) {
        int scheme = redisUri.indexOf("://");
        return scheme >= 0 && scheme < redisUri.lastIndexOf('@') ? scheme + 3 : 0;
    }

    private static String describe(RedisURI uri) {
        return (uri.isSsl() ? "rediss" : "redis") + "://" + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
    }
}
