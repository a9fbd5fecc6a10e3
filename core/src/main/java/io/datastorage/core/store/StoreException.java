package io.datastorage.core.store;

/**
 * The store failed in a way a retry is not known to fix (an unexpected error of the database).
 * Nothing of the failed call was committed.
 */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
