package io.datastorage.core.embedding;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaffeineEmbeddingCacheTest {
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void answersWhatItHoldsUntilTheTtlPasses() {
        CaffeineEmbeddingCache cache = new CaffeineEmbeddingCache(Duration.ofMinutes(5), 1 << 20, nanos::get);
        cache.putAll(Map.of("a", new float[] {1, 2}, "b", new float[] {3}));

        assertThat(cache.getAll(List.of("a", "b", "c"))).containsOnlyKeys("a", "b");
        assertThat(cache.getAll(List.of("a")).get("a")).containsExactly(1, 2);

        nanos.addAndGet(Duration.ofMinutes(5).minusMillis(1).toNanos());
        assertThat(cache.getAll(List.of("a"))).containsOnlyKeys("a");
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(cache.getAll(List.of("a", "b"))).isEmpty();
    }

    @Test
    void staysWithinItsByteBound() {
        // Each 384-float entry weighs 1,736 bytes; 100 KiB holds at most 58 of them.
        CaffeineEmbeddingCache cache = new CaffeineEmbeddingCache(Duration.ofMinutes(5), 100 * 1024, nanos::get);
        for (int i = 0; i < 1_000; i++) {
            cache.putAll(Map.of("k" + i, new float[384]));
        }
        assertThat(cache.size()).isBetween(1L, 58L);
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new CaffeineEmbeddingCache(Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThatThrownBy(() -> new CaffeineEmbeddingCache(Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBytes");
    }
}
