package io.datastorage.core.dualwrite;

/**
 * Strict mode: the vector index could not take the vectors, so the write was rolled back and
 * nothing was stored. Transient: retry later.
 */
public final class IndexWriteRejectedException extends RuntimeException {
    public IndexWriteRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
