package io.datastorage.cache.redis;

/**
 * A {@link RedisEmbeddingCache} call failed: Redis unreachable, disconnected, too slow, or answering
 * with an error. The cause is Lettuce's exception. Messages name the server without credentials.
 *
 * <p>Callers of an {@link io.datastorage.core.embedding.EmbeddingCache} count any
 * {@link RuntimeException} and compute the vectors themselves, so this type exists for clearer logs,
 * not for special handling.
 */
public class RedisCacheException extends RuntimeException {

    public RedisCacheException(String message, Throwable cause) {
        super(message, cause);
    }
}
