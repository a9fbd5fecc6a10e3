package io.datastorage.core.search;

import io.datastorage.core.index.IndexFilter;

import java.util.Objects;

/**
 * A semantic search: by text (embedded with the records' model) or by a vector, restricted by
 * the filter before the top k are taken.
 *
 * @param query    text to search by, or null when {@code vector} is given
 * @param vector   vector to search by, or null when {@code query} is given
 * @param minScore results scoring below are left out (scores are cosine similarity, in [0, 1])
 */
public record SearchRequest(String query, float[] vector, IndexFilter filter, int topK, double minScore) {
    public static final int MAX_TOP_K = 100;
    public static final int MAX_QUERY_LENGTH = 1000;

    public SearchRequest {
        if ((query == null) == (vector == null)) {
            throw new IllegalArgumentException("exactly one of query and vector");
        }
        Objects.requireNonNull(filter, "filter");
        if (topK < 1 || topK > MAX_TOP_K) {
            throw new IllegalArgumentException("topK must be 1.." + MAX_TOP_K + ", was " + topK);
        }
        if (!(minScore >= 0 && minScore <= 1)) {
            throw new IllegalArgumentException("minScore must be 0..1, was " + minScore);
        }
    }
}
