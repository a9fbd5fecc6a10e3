package io.datastorage.core.migration;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * The legacy store could not be reached or failed while reading or writing (a database that does
 * not answer, a directory on a volume that is full or gone). Transient: the same call may succeed
 * later. A failed {@link LegacyStore#put} may or may not have stored the record; since puts are
 * idempotent by id, retrying it is always safe.
 */
public final class LegacyStoreUnavailableException extends TransientException {
    public LegacyStoreUnavailableException(String message, Throwable cause) {
        super(Component.LEGACY_STORE, named(Component.LEGACY_STORE, message), cause);
    }
}
