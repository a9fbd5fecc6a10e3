package io.datastorage.core.embedding;

import java.util.Collection;
import java.util.Map;

/**
 * Stores vectors by {@link EmbeddingCacheKey}, so that a text embedded once under a model is not
 * embedded again while its entry lives.
 *
 * <p>Contract: entries expire after the cache's time-to-live; {@link #getAll} answers only the keys
 * it holds; a vector read back equals, element for element, the one stored. A cache is an
 * optimisation and may fail: any {@link RuntimeException} from it is counted by the caller, which
 * then computes the vectors itself ({@link CachingEmbedder}). Implementations bound how long a call
 * may take, so that a slow cache costs a write at most that bound.
 */
public interface EmbeddingCache extends AutoCloseable {

    /** The vectors held for these keys; absent keys are simply missing from the map. */
    Map<String, float[]> getAll(Collection<String> keys);

    /** Stores these vectors under their keys, each for the cache's time-to-live. */
    void putAll(Map<String, float[]> vectors);

    /** Where the entries live, for logs: "in-process" or the server's address without credentials. */
    String describe();

    @Override
    default void close() {
    }
}
