package io.datastorage.core.store;

/**
 * An idempotency key was reused for a different request. Permanent: the client must pick a new
 * key or resend the original request.
 */
public final class IdempotencyConflictException extends RuntimeException {
    public IdempotencyConflictException(String key) {
        super("Idempotency-Key '" + key + "' was already used for a different request");
    }
}
