package io.datastorage.core.store;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

/**
 * The store failed in a way a retry is not known to fix (an unexpected error of the database).
 * Permanent. Nothing of the failed call was committed.
 */
public final class StoreException extends PermanentException {
    /** A failure of PostgreSQL. */
    public StoreException(String message, Throwable cause) {
        this(Component.POSTGRESQL, message, cause);
    }

    /** A failure of another store. */
    public StoreException(Component store, String message, Throwable cause) {
        super(store, named(store, message), cause);
    }
}
