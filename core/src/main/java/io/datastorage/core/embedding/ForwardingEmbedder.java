package io.datastorage.core.embedding;

import java.util.List;

/**
 * Base of the embedders that wrap another (cache, batcher, metering, test doubles): the model's
 * {@link #dimension()} and {@link #modelId()} pass through, and {@link #embedByDelegate} holds the
 * delegate to one vector per text.
 */
public abstract class ForwardingEmbedder implements Embedder {
    protected final Embedder delegate;

    protected ForwardingEmbedder(Embedder delegate) {
        this.delegate = delegate;
    }

    /** The delegate's vectors for these texts, refused unless there is exactly one per text. */
    protected final List<float[]> embedByDelegate(List<String> texts) {
        List<float[]> vectors = delegate.embed(texts);
        if (vectors.size() != texts.size()) {
            throw new EmbeddingException("the embedder " + delegate.modelId() + " returned " + vectors.size()
                    + " vectors for " + texts.size() + " texts", false, null);
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
