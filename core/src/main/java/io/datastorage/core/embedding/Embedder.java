package io.datastorage.core.embedding;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Turns texts into vectors.
 *
 * <p>Contract: {@link #embed} returns one vector per text, in order, each of length
 * {@link #dimension()}; the same text under the same {@link #modelId()} always gives the same
 * vector. Texts longer than the model's window are truncated to it, never split and averaged.
 * Failures throw {@link EmbedderUnavailableException} when a retry may help (transient) and
 * {@link EmbeddingException} when it cannot (permanent).
 */
public interface Embedder {
    /** The time limit {@link #embed(List)} stands for: none. */
    Duration NO_TIME_LIMIT = ChronoUnit.FOREVER.getDuration();

    /** {@link #embed(List, Duration)} without a time limit. */
    List<float[]> embed(List<String> texts);

    /**
     * The vectors, within a time limit: the caller is answered, or fails with a
     * transient {@link EmbedderUnavailableException}, by about
     * {@code timeLimit} from now; an embedder never starts work (a model call, a retry, a backoff)
     * it knows cannot end in time. A limit that is zero or negative fails at once. Embedders that
     * wrap another pass the time they have left down to it.
     *
     * <p>This default checks the limit once, before it starts, and then calls {@link #embed(List)}:
     * right for a model that answers in a bounded, short time (an in-process model), and for test
     * doubles. An embedder that waits on something else (a network, a queue) overrides it.
     */
    default List<float[]> embed(List<String> texts, Duration timeLimit) {
        TimeLimit.requireTimeLeft(timeLimit, modelId());
        return embed(texts);
    }

    /** Length of every vector this embedder returns. */
    int dimension();

    /** Names the model and its settings; part of cache keys, so it changes when vectors would. */
    String modelId();
}
