package io.datastorage.core.embedding;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

/**
 * The embedder cannot produce vectors for this call, and a retry fails the same way: the model
 * cannot be loaded or run, the endpoint refused the request (a 4xx other than 408 and 429), or it
 * answered something that is not the vectors asked for (wrong count, wrong dimension, not JSON).
 * Permanent. A failure that a retry may get past is an {@link EmbedderUnavailableException}.
 */
public final class EmbeddingException extends PermanentException {
    public EmbeddingException(String message, Throwable cause) {
        super(Component.EMBEDDER, named(Component.EMBEDDER, message), cause);
    }
}
