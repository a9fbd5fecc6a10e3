package io.datastorage.cache.redis;

import io.datastorage.core.embedding.EmbeddingCacheKey;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class RedisEmbeddingCacheTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);
    /** Generous upper bound for "fails promptly instead of hanging". */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    /** Generous upper bound for "works again once Redis is back". */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    private static final String A = EmbeddingCacheKey.of("model", "a");
    private static final String B = EmbeddingCacheKey.of("model", "b");
    private static final String ABSENT = EmbeddingCacheKey.of("model", "absent");

    private RedisTestServer redis;
    private final List<RedisEmbeddingCache> caches = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redis = RedisTestServer.start();
    }

    @AfterEach
    void stopEverything() {
        caches.forEach(RedisEmbeddingCache::close);
        redis.close();
    }

    private RedisEmbeddingCache cache(String uri, Duration ttl, String keyPrefix) {
        RedisEmbeddingCache cache = RedisEmbeddingCache.connect(uri, ttl, COMMAND_TIMEOUT, keyPrefix);
        caches.add(cache);
        return cache;
    }

    private RedisEmbeddingCache cache() {
        return cache(redis.uri(), TTL, RedisEmbeddingCache.DEFAULT_KEY_PREFIX);
    }

    @Test
    void returnsTheStoredVectorsBitForBitAndOmitsAbsentKeys() {
        RedisEmbeddingCache cache = cache();
        float[] edges = {0f, -0f, 1f, -1f, 1f / 3, -2.5e-3f, Float.MIN_VALUE, -Float.MIN_VALUE, 1.0e-40f,
                -3.4e-39f, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY};
        Random random = new Random(42);
        float[] embedding = new float[384];
        IntStream.range(0, embedding.length).forEach(i -> embedding[i] = (float) random.nextGaussian());

        cache.putAll(Map.of(A, edges, B, embedding));
        Map<String, float[]> found = cache.getAll(List.of(A, ABSENT, B));

        assertThat(found).containsOnlyKeys(A, B);
        assertThat(rawBits(found.get(A))).containsExactly(rawBits(edges));
        assertThat(rawBits(found.get(B))).containsExactly(rawBits(embedding));
    }

    @Test
    void storesLittleEndianFloat32UnderThePrefixedKey() {
        cache(redis.uri(), TTL, "test:").putAll(Map.of(A, new float[] {1f, -2f}));

        assertThat(redis.keys("*")).containsExactly("test:" + A);
        RedisClient raw = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<byte[], byte[]> connection = raw.connect(ByteArrayCodec.INSTANCE)) {
            byte[] stored = connection.sync().get(("test:" + A).getBytes(StandardCharsets.UTF_8));
            assertThat(stored).containsExactly(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0);
        } finally {
            raw.shutdown();
        }
    }

    @Test
    void appliesTheDefaultKeyPrefix() {
        cache().putAll(Map.of(A, new float[] {1f}, B, new float[] {2f}));

        assertThat(redis.keys("*")).containsExactlyInAnyOrder("datastorage:embedding:" + A,
                "datastorage:embedding:" + B);
    }

    @Test
    void treatsAValueThatIsNotWholeFloatsAsAMiss() {
        RedisEmbeddingCache cache = cache();
        cache.putAll(Map.of(A, new float[] {1f}));
        redis.withConnection(r -> r.set(RedisEmbeddingCache.DEFAULT_KEY_PREFIX + B, "abc"));

        assertThat(cache.getAll(List.of(A, B))).containsOnlyKeys(A);
    }

    @Test
    void storesAnEmptyVector() {
        RedisEmbeddingCache cache = cache();
        cache.putAll(Map.of(A, new float[0]));

        assertThat(cache.getAll(List.of(A))).hasEntrySatisfying(A, v -> assertThat(v).isEmpty());
    }

    @Test
    void writesEachEntryWithTheTtl() {
        cache().putAll(Map.of(A, new float[] {1f}));

        long pttl = redis.withConnection(r -> r.pttl(RedisEmbeddingCache.DEFAULT_KEY_PREFIX + A));
        assertThat(pttl).isPositive().isLessThanOrEqualTo(TTL.toMillis());
    }

    @Test
    void entriesExpireAfterTheTtl() {
        RedisEmbeddingCache cache = cache(redis.uri(), Duration.ofSeconds(1), RedisEmbeddingCache.DEFAULT_KEY_PREFIX);
        cache.putAll(Map.of(A, new float[] {1f}));

        await().atMost(Duration.ofSeconds(10)).until(() -> cache.getAll(List.of(A)).isEmpty());
        assertThat(redis.keys("*")).isEmpty();
    }

    @Test
    void emptyRequestsNeedNoServer() {
        RedisEmbeddingCache cache = cache();
        redis.stop();

        assertThat(cache.getAll(List.of())).isEmpty();
        cache.putAll(Map.of());
    }

    @Test
    void failsPromptlyWhileRedisIsDownAndWorksAgainAfterItRestarts() {
        RedisEmbeddingCache cache = cache();
        cache.putAll(Map.of(A, new float[] {1f})); // connected

        redis.stop();
        assertFailsPromptly(() -> cache.getAll(List.of(A)));
        assertFailsPromptly(() -> cache.putAll(Map.of(B, new float[] {2f})));

        redis.restart();
        await().atMost(RECOVERY).ignoreExceptions().untilAsserted(() -> {
            cache.putAll(Map.of(B, new float[] {2f}));
            assertThat(cache.getAll(List.of(B))).containsOnlyKeys(B);
        });
    }

    @Test
    void startsWhileRedisIsDownAndWorksOnceItIsUp() {
        redis.stop();

        RedisEmbeddingCache cache = assertTimeoutPreemptively(PROMPTLY, () -> cache());
        assertFailsPromptly(() -> cache.getAll(List.of(A)));
        assertFailsPromptly(() -> cache.putAll(Map.of(A, new float[] {1f})));

        redis.restart();
        await().atMost(RECOVERY).ignoreExceptions().untilAsserted(() -> {
            cache.putAll(Map.of(A, new float[] {1f}));
            assertThat(cache.getAll(List.of(A))).containsOnlyKeys(A);
        });
    }

    @Test
    void timesOutWhileRedisIsUnresponsiveAndRecoversAfterwards() {
        RedisEmbeddingCache cache = cache();
        cache.putAll(Map.of(A, new float[] {1f})); // connected

        // Longer than both calls' timeouts: without a timeout they would wait the pause out and succeed.
        redis.pause(Duration.ofSeconds(4));
        assertFailsPromptly(() -> cache.getAll(List.of(A)), "timed out");
        assertFailsPromptly(() -> cache.putAll(Map.of(B, new float[] {2f})), "timed out");

        await().atMost(RECOVERY).ignoreExceptions()
                .untilAsserted(() -> assertThat(cache.getAll(List.of(A))).containsOnlyKeys(A));
    }

    @Test
    void rejectsAnInvalidUriWithoutRevealingThePassword() {
        IllegalArgumentException badPort = catchThrowableOfType(IllegalArgumentException.class,
                () -> RedisEmbeddingCache.connect("redis://:s3cret@localhost:port", TTL, COMMAND_TIMEOUT));
        assertThat(badPort).hasMessageContaining("redis://:***@localhost:port").hasNoCause();
        assertThat(badPort.getMessage()).doesNotContain("s3cret");

        IllegalArgumentException badSyntax = catchThrowableOfType(IllegalArgumentException.class,
                () -> RedisEmbeddingCache.connect("redis://user:s3 cret@localhost", TTL, COMMAND_TIMEOUT));
        assertThat(badSyntax).hasMessageContaining("redis://user:***@localhost").hasNoCause();
        assertThat(badSyntax.getMessage()).doesNotContain("s3", "cret");

        assertThatThrownBy(() -> RedisEmbeddingCache.connect("http://localhost", TTL, COMMAND_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://localhost");
        assertThatThrownBy(() -> RedisEmbeddingCache.connect("redis://localhost/x", TTL, COMMAND_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RedisEmbeddingCache.connect("localhost:6379", TTL, COMMAND_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describesTheServerWithoutCredentials() {
        assertThat(cache("redis://user:s3cret@127.0.0.1:1/3", TTL, "").describe()).isEqualTo("redis://127.0.0.1:1/3");
        assertThat(cache("redis://:s3cret@127.0.0.1:1", TTL, "").describe()).isEqualTo("redis://127.0.0.1:1/0");
        assertThat(cache("rediss://127.0.0.1", TTL, "").describe()).isEqualTo("rediss://127.0.0.1:6379/0");
        assertThat(cache("redis://:s3cret@127.0.0.1:1", TTL, "")).asString().doesNotContain("s3cret");
    }

    @Test
    void errorsNameTheServerWithoutCredentials() {
        redis.stop();
        String uri = "redis://:s3cret@127.0.0.1:" + redis.port();
        RedisEmbeddingCache cache = cache(uri, TTL, "");

        assertThatThrownBy(() -> cache.getAll(List.of(A))).isInstanceOf(RedisCacheException.class)
                .hasMessageContaining("redis://127.0.0.1:" + redis.port() + "/0")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void isUnusableAfterClose() {
        RedisEmbeddingCache cache = cache();
        cache.putAll(Map.of(A, new float[] {1f}));

        cache.close();
        cache.close();

        assertThatThrownBy(() -> cache.getAll(List.of(A))).isInstanceOf(IllegalStateException.class);
    }

    private static void assertFailsPromptly(Executable call) {
        assertFailsPromptly(call, "");
    }

    private static void assertFailsPromptly(Executable call, String messagePart) {
        assertTimeoutPreemptively(PROMPTLY, () -> assertThatThrownBy(call::execute)
                .isInstanceOf(RedisCacheException.class)
                .hasMessageContaining(messagePart));
    }

    private static int[] rawBits(float[] vector) {
        return IntStream.range(0, vector.length).map(i -> Float.floatToRawIntBits(vector[i])).toArray();
    }
}
