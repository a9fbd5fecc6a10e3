package io.datastorage.core.embedding;

/** The embedder could not produce vectors. {@link #isTransient()} says whether a retry can help. */
public final class EmbeddingException extends RuntimeException {
    private final boolean transientFailure;

    public EmbeddingException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
