package io.datastorage.core.embedding;

import java.time.Duration;
import java.util.List;

/**
 * Base of the embedders that wrap another (cache, batcher, metering, test doubles): the model's
 * {@link #dimension()} and {@link #modelId()} pass through, and {@link #embedByDelegate} holds the
 * delegate to one vector per text. A subclass that does not override
 * {@link #embed(List, Duration)} gets the interface's default (check the limit, then
 * {@link #embed(List)}), so a test double overriding {@code embed(List)} alone sees every call.
 */
public abstract class ForwardingEmbedder implements Embedder {
    protected final Embedder delegate;

    protected ForwardingEmbedder(Embedder delegate) {
        this.delegate = delegate;
    }

    /** The delegate's vectors for these texts, refused unless there is exactly one per text. */
    protected final List<float[]> embedByDelegate(List<String> texts) {
        return checked(texts, delegate.embed(texts));
    }

    /** The same within a time limit, passed to the delegate. */
    protected final List<float[]> embedByDelegate(List<String> texts, Duration timeLimit) {
        return checked(texts, delegate.embed(texts, timeLimit));
    }

    private List<float[]> checked(List<String> texts, List<float[]> vectors) {
        if (vectors.size() != texts.size()) {
            throw new EmbeddingException("the embedder " + delegate.modelId() + " returned " + vectors.size()
                    + " vectors for " + texts.size() + " texts", null);
        }
        return vectors;
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public String modelId() {
        return delegate.modelId();
    }
}
