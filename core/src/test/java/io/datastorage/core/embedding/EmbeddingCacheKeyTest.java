package io.datastorage.core.embedding;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddingCacheKeyTest {

    @Test
    void isTheHexSha256OfModelIdNulAndText() {
        // python3 -c "import hashlib; print(hashlib.sha256(b'model-a\x00hello').hexdigest())"
        assertThat(EmbeddingCacheKey.of("model-a", "hello"))
                .isEqualTo("fbd8af76f8650c2a110930db58baaaa679963271fab97a50027abe291b4afc9a");
    }

    @Test
    void separatesModelsAndTheBoundaryBetweenModelAndText() {
        assertThat(EmbeddingCacheKey.of("model-a", "hello")).isNotEqualTo(EmbeddingCacheKey.of("model-b", "hello"));
        assertThat(EmbeddingCacheKey.of("ab", "c")).isNotEqualTo(EmbeddingCacheKey.of("a", "bc"));
    }
}
