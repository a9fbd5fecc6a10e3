package io.datastorage.cache.redis;

import io.datastorage.core.config.InvalidConfigException;

import java.time.Duration;

import static io.datastorage.core.config.ConfigChecks.range;
import static io.datastorage.core.config.ConfigChecks.required;

/**
 * An embedding cache on a Redis server shared by replicas. Immutable; a bad value is an
 * {@link InvalidConfigException} naming the setting as below, with any password in the URL
 * redacted.
 *
 * <p>The record may be built without a URL, so that the timings are checked even while the
 * in-process cache is chosen; {@link #connect()} needs one.
 *
 * @param url     {@code url}: {@code redis://[[user]:password@]host[:port][/db]}, or {@code rediss://}
 *                for TLS; {@code null} or blank: none given
 * @param ttl     {@code ttl}: how long an embedding stays cached, 1s..7d
 * @param timeout {@code timeout}: longest a Redis call (or a connection attempt) may take before the
 *                embedding is computed without the cache, 1ms..10s
 */
public record RedisCacheConfig(String url, Duration ttl, Duration timeout) {

    public RedisCacheConfig {
        if (url != null && !url.isBlank() && !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
            throw new InvalidConfigException("url", "must be a redis:// or rediss:// URL",
                    "'" + RedisEmbeddingCache.redact(url) + "'");
        }
        range("ttl", ttl, Duration.ofSeconds(1), Duration.ofDays(7));
        range("timeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10));
    }

    /** A cache on the server at {@link #url()}; does not wait for it (see {@link RedisEmbeddingCache}). */
    public RedisEmbeddingCache connect() {
        return RedisEmbeddingCache.connect(required("url", url), ttl, timeout);
    }

    @Override
    public String toString() {
        return "RedisCacheConfig[url=" + (url == null ? null : RedisEmbeddingCache.redact(url)) + ", ttl=" + ttl
                + ", timeout=" + timeout + "]";
    }
}
