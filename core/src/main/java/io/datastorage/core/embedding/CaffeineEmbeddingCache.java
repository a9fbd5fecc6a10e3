package io.datastorage.core.embedding;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/**
 * The in-process cache: Caffeine, bounded by the bytes its vectors take (so the bound holds
 * whatever the model's dimension), entries expiring a fixed time after they were written.
 */
public final class CaffeineEmbeddingCache implements EmbeddingCache {
    /** Rough per-entry cost besides the vector: the key string, the entry and the array header. */
    private static final int ENTRY_OVERHEAD_BYTES = 200;

    private final Cache<String, float[]> cache;

    public CaffeineEmbeddingCache(Duration ttl, long maxBytes) {
        this(ttl, maxBytes, Ticker.systemTicker());
    }

    CaffeineEmbeddingCache(Duration ttl, long maxBytes, Ticker ticker) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumWeight(maxBytes)
                .weigher((String key, float[] vector) -> ENTRY_OVERHEAD_BYTES + Float.BYTES * vector.length)
                .ticker(ticker)
                .build();
    }

    @Override
    public Map<String, float[]> getAll(Collection<String> keys) {
        return cache.getAllPresent(keys);
    }

    @Override
    public void putAll(Map<String, float[]> vectors) {
        cache.putAll(vectors);
    }

    @Override
    public String describe() {
        return "in-process";
    }

    /** Entries currently held (after pending evictions), for tests and diagnostics. */
    long size() {
        cache.cleanUp();
        return cache.estimatedSize();
    }
}
