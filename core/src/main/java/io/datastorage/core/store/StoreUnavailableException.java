package io.datastorage.core.store;

/**
 * The store could not be reached or failed while writing. Transient: nothing of the failed call
 * was committed, and the same call may succeed later.
 */
public final class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
