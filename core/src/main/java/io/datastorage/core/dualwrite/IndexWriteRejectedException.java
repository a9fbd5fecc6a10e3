package io.datastorage.core.dualwrite;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * Strict mode: the vector index could not take the vectors, so the write was rolled back and
 * nothing was stored. Transient: retry later.
 */
public final class IndexWriteRejectedException extends TransientException {
    public IndexWriteRejectedException(String message, Throwable cause) {
        super(Component.VECTOR_INDEX, named(Component.VECTOR_INDEX, message), cause);
    }
}
