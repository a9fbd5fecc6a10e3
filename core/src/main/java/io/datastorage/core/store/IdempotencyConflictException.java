package io.datastorage.core.store;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

/**
 * An idempotency key was reused for a different request. Permanent for the request (a failure of
 * {@link Component#REQUEST}): the client must pick a new key or resend the original request.
 */
public final class IdempotencyConflictException extends PermanentException {
    public IdempotencyConflictException(String key) {
        super(Component.REQUEST, "Idempotency-Key '" + key + "' was already used for a different request", null);
    }
}
