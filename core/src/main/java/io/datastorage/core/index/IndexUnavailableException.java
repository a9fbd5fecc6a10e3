package io.datastorage.core.index;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * The index cannot serve the call now; a retry later may succeed. Transient, a failure of the
 * {@linkplain Component#VECTOR_INDEX vector index}.
 */
public class IndexUnavailableException extends TransientException {
    public IndexUnavailableException(String message, Throwable cause) {
        super(Component.VECTOR_INDEX, named(Component.VECTOR_INDEX, message), cause);
    }
}
