package io.datastorage.core.embedding;

import java.util.List;

/**
 * Turns texts into vectors.
 *
 * <p>Contract: {@link #embed} returns one vector per text, in order, each of length
 * {@link #dimension()}; the same text under the same {@link #modelId()} always gives the same
 * vector. Texts longer than the model's window are truncated to it, never split and averaged.
 * Failures throw {@link EmbeddingException}, which says whether a retry can help.
 */
public interface Embedder {

    List<float[]> embed(List<String> texts);

    /** Length of every vector this embedder returns. */
    int dimension();

    /** Names the model and its settings; part of cache keys, so it changes when vectors would. */
    String modelId();
}
