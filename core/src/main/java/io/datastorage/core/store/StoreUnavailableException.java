package io.datastorage.core.store;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * The store could not be reached or failed while writing. Transient: nothing of the failed call
 * was committed, and the same call may succeed later.
 */
public final class StoreUnavailableException extends TransientException {
    /** A failure of PostgreSQL. */
    public StoreUnavailableException(String message, Throwable cause) {
        this(Component.POSTGRESQL, message, cause);
    }

    /** A failure of another store. */
    public StoreUnavailableException(Component store, String message, Throwable cause) {
        super(store, named(store, message), cause);
    }
}
