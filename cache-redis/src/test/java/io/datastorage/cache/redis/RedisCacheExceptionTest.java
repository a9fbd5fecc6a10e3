package io.datastorage.cache.redis;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisCacheExceptionTest {
    @Test
    void isATransientFailureOfTheEmbeddingCacheThatSaysSo() {
        RedisCacheException failure = new RedisCacheException("cannot connect to redis://cache:6379: Connection refused",
                new IllegalStateException("from Lettuce"));

        assertThat(failure).isInstanceOf(TransientException.class);
        assertThat(failure.component()).isEqualTo(Component.EMBEDDING_CACHE);
        assertThat(failure).hasMessage("embedding cache: cannot connect to redis://cache:6379: Connection refused");
    }
}
