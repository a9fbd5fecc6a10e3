package io.datastorage.server.embedding;

import io.datastorage.core.embedding.BatchingEmbedder;
import io.datastorage.core.embedding.CachingEmbedder;
import io.datastorage.core.embedding.Embedder;

/**
 * What a record's text goes through: the cache, then (for misses) the micro-batcher, then the
 * metered model. Closing it stops the batcher; the model and the cache are beans of their own.
 */
public final class EmbeddingPipeline implements AutoCloseable {
    private final CachingEmbedder cached;
    private final BatchingEmbedder batcher;

    EmbeddingPipeline(CachingEmbedder cached, BatchingEmbedder batcher) {
        this.cached = cached;
        this.batcher = batcher;
    }

    /** The embedder the write path and the repair worker call. */
    public Embedder embedder() {
        return cached;
    }

    @Override
    public void close() {
        batcher.close();
    }
}
