package io.datastorage.core.embedding;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * The embedder gave no vectors now, and a retry may: the endpoint is unreachable, overloaded or
 * slow, retries ran out, the time limit passed, the caller was interrupted, or the embedder is
 * shutting down. Transient. A failure that a retry cannot fix is an {@link EmbeddingException}.
 */
public final class EmbedderUnavailableException extends TransientException {
    public EmbedderUnavailableException(String message, Throwable cause) {
        super(Component.EMBEDDER, named(Component.EMBEDDER, message), cause);
    }
}
