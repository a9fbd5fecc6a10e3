package io.datastorage.cache.redis;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * A {@link RedisEmbeddingCache} call failed: Redis unreachable, disconnected, too slow, or answering
 * with an error. Transient, a failure of the {@linkplain Component#EMBEDDING_CACHE embedding cache}.
 * The cause is Lettuce's exception. Messages name the server without credentials.
 *
 * <p>Callers of an {@link io.datastorage.core.embedding.EmbeddingCache} count any
 * {@link RuntimeException} and compute the vectors themselves, so this type exists for clearer logs,
 * not for special handling.
 */
public class RedisCacheException extends TransientException {

    public RedisCacheException(String message, Throwable cause) {
        super(Component.EMBEDDING_CACHE, named(Component.EMBEDDING_CACHE, message), cause);
    }
}
