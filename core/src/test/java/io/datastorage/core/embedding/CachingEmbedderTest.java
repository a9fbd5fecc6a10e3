package io.datastorage.core.embedding;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachingEmbedderTest {
    private final RecordingEmbedder model = new RecordingEmbedder();
    private final CaffeineEmbeddingCache cache = new CaffeineEmbeddingCache(Duration.ofMinutes(5), 1 << 20);
    private final CachingEmbedder embedder = new CachingEmbedder(model, cache);

    @Test
    void aHitReturnsTheIdenticalVectorAndTheModelIsCalledOnce() {
        float[] first = embedder.embed(List.of("OOMKilled pod api-7")).getFirst();
        float[] second = embedder.embed(List.of("OOMKilled pod api-7")).getFirst();

        assertThat(second).containsExactly(first);
        assertThat(model.calls()).containsExactly(List.of("OOMKilled pod api-7"));
        assertThat(embedder.hits()).isEqualTo(1);
        assertThat(embedder.misses()).isEqualTo(1);
        assertThat(embedder.errors()).isZero();
    }

    @Test
    void asksTheModelOnlyForTheMissesEachDistinctTextOnceAndKeepsTheOrder() {
        embedder.embed(List.of("b"));

        List<float[]> vectors = embedder.embed(List.of("a", "b", "c", "a"));

        assertThat(model.calls()).containsExactly(List.of("b"), List.of("a", "c"));
        assertThat(vectors).hasSize(4);
        assertThat(vectors.get(0)).containsExactly(RecordingEmbedder.vectorOf("a"));
        assertThat(vectors.get(1)).containsExactly(RecordingEmbedder.vectorOf("b"));
        assertThat(vectors.get(2)).containsExactly(RecordingEmbedder.vectorOf("c"));
        assertThat(vectors.get(3)).containsExactly(RecordingEmbedder.vectorOf("a"));
        assertThat(embedder.hits()).isEqualTo(1);
        assertThat(embedder.misses()).isEqualTo(4);
    }

    @Test
    void callersGetCopiesSoTheyCannotChangeWhatTheCacheHolds() {
        embedder.embed(List.of("x")).getFirst()[0] = 12345f;

        assertThat(embedder.embed(List.of("x")).getFirst()).containsExactly(RecordingEmbedder.vectorOf("x"));
    }

    @Test
    void aFailingCacheIsCountedAndTheVectorsAreComputed() {
        CachingEmbedder withBrokenCache = new CachingEmbedder(model, new FailingCache());

        List<float[]> vectors = withBrokenCache.embed(List.of("disk pressure on node-3"));

        assertThat(vectors.getFirst()).containsExactly(RecordingEmbedder.vectorOf("disk pressure on node-3"));
        assertThat(withBrokenCache.errors()).isEqualTo(2); // the read and the write
        assertThat(withBrokenCache.misses()).isEqualTo(1);
        assertThat(withBrokenCache.hits()).isZero();
    }

    @Test
    void aVectorOfTheWrongLengthIsRefusedAndNeverCached() {
        Embedder shortVectors = new RecordingEmbedder() {
            @Override
            public List<float[]> embed(List<String> texts) {
                return texts.stream().map(t -> new float[3]).toList();
            }
        };
        CachingEmbedder caching = new CachingEmbedder(shortVectors, cache);

        assertThatThrownBy(() -> caching.embed(List.of("t")))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("3-dimensional").hasMessageContaining("8 dimensions");
        assertThat(cache.size()).isZero();
    }

    @Test
    void anEmbedderThatLosesVectorsIsRefused() {
        Embedder lossy = new RecordingEmbedder() {
            @Override
            public List<float[]> embed(List<String> texts) {
                return List.of();
            }
        };

        assertThatThrownBy(() -> new CachingEmbedder(lossy, cache).embed(List.of("a", "b")))
                .isInstanceOf(EmbeddingException.class).hasMessageContaining("returned 0 vectors for 2 texts");
        assertThat(cache.size()).isZero();
    }

    @Test
    void aCachedVectorOfAnotherLengthIsIgnored() {
        cache.putAll(Map.of(EmbeddingCacheKey.of(model.modelId(), "t"), new float[] {1, 2, 3}));

        assertThat(embedder.embed(List.of("t")).getFirst()).containsExactly(RecordingEmbedder.vectorOf("t"));
        assertThat(model.calls()).hasSize(1);
    }

    @Test
    void modelFailuresReachTheCaller() {
        Embedder down = new RecordingEmbedder() {
            @Override
            public List<float[]> embed(List<String> texts) {
                throw new EmbedderUnavailableException("endpoint unreachable", null);
            }
        };

        assertThatThrownBy(() -> new CachingEmbedder(down, cache).embed(List.of("t")))
                .isInstanceOf(EmbedderUnavailableException.class);
    }

    private static final class FailingCache implements EmbeddingCache {
        @Override
        public Map<String, float[]> getAll(Collection<String> keys) {
            throw new IllegalStateException("connection refused");
        }

        @Override
        public void putAll(Map<String, float[]> vectors) {
            throw new IllegalStateException("connection refused");
        }

        @Override
        public String describe() {
            return "failing";
        }
    }
}
