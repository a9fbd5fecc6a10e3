package io.datastorage.server;

import io.datastorage.cache.redis.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Redis cache is shared by replicas, and a Redis that is down or slow never fails a write. */
class SharedCacheTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Class<?>[] SOURCES = {DatastorageApplication.class, ObservedModel.class};
    private static final AtomicInteger SERIAL = new AtomicInteger();

    static RedisTestServer redis;
    static RunningService service;

    @BeforeAll
    static void start() {
        ObservedModel.reset();
        redis = RedisTestServer.start();
        service = RunningService.start(SOURCES, RunningService.newDataDir(), "--datastorage.cache.url=" + redis.uri());
    }

    @AfterAll
    static void stop() {
        service.close();
        redis.close();
    }

    @Test
    void aTextEmbeddedByOneReplicaIsServedToAnotherFromRedis() {
        String message = "replica check: payments-7f9 OOMKilled at 3.1Gi";
        assertEmbedded(post(service, message));
        assertThat(ObservedModel.timesEmbedded(message)).isEqualTo(1);
        assertThat(redis.keys("datastorage:embedding:*")).isNotEmpty();

        try (RunningService replica = RunningService.start(SOURCES, RunningService.newDataDir(),
                "--datastorage.cache.url=" + redis.uri())) {
            assertEmbedded(post(replica, message));
        }
        assertThat(ObservedModel.timesEmbedded(message)).isEqualTo(1);
    }

    @Test
    void writesSucceedWhileRedisIsDownAndTheCacheIsUsedAgainWhenItReturns() {
        redis.stop();
        try {
            String message = "written while the cache was down " + SERIAL.incrementAndGet();
            assertEmbedded(post(service, message));
            assertEmbedded(post(service, message));
            assertThat(ObservedModel.timesEmbedded(message)).isEqualTo(2); // no cache to answer the second
            assertThat(cacheErrors()).isPositive();
        } finally {
            redis.restart();
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String message = "written after the cache came back " + SERIAL.incrementAndGet();
            assertEmbedded(post(service, message));
            assertEmbedded(post(service, message));
            assertThat(ObservedModel.timesEmbedded(message)).isEqualTo(1);
        });
    }

    @Test
    void aSlowRedisCostsAWriteItsTimeoutNotTheWrite() {
        double errorsBefore = cacheErrors();
        redis.pause(Duration.ofSeconds(3));

        String message = "written while the cache was slow " + SERIAL.incrementAndGet();
        assertEmbedded(post(service, message));

        assertThat(ObservedModel.timesEmbedded(message)).isEqualTo(1);
        assertThat(cacheErrors()).isGreaterThan(errorsBefore);
    }

    private static HttpResponse<String> post(RunningService target, String message) {
        return target.postJson("/api/v1/audit/aianalysis", "{\"name\":\"cache-" + SERIAL.incrementAndGet()
                + "\",\"namespace\":\"prod\",\"phase\":\"Completed\",\"correlationId\":\"corr-cache\",\"createdAt\":\"2026-11-20T10:00:00Z\",\"message\":\"" + message + "\"}");
    }

    private static void assertEmbedded(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        assertThat(JSON.readTree(answer.body()).get("embedded").asBoolean()).isTrue();
    }

    private static double cacheErrors() {
        Matcher m = Pattern.compile("(?m)^datastorage_cache_errors_total\\{[^}]*} (\\S+)$")
                .matcher(service.get(service.management("/metrics")).body());
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
