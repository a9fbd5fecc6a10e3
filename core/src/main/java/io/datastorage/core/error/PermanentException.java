package io.datastorage.core.error;

/**
 * A failure that the same request meets again however often it is retried.
 *
 * <p>Two kinds sit here. Failures of the request itself ({@link Component#REQUEST}): invalid input,
 * an idempotency key reused for another request. They are permanent <em>for the request</em>: the
 * service works, but this request will never be accepted; only a different request (fixed input,
 * a new key) can succeed, so neither a client nor a migration may retry it as it is. And failures
 * of a component that do not heal by themselves: an unexpected database error, a model that cannot
 * load, an embedding endpoint that refuses the request, a stored record that cannot be read back.
 */
public non-sealed abstract class PermanentException extends DatastorageException {
    protected PermanentException(Component component, String message, Throwable cause) {
        super(component, message, cause, true);
    }

    protected PermanentException(Component component, String message, Throwable cause, boolean writableStackTrace) {
        super(component, message, cause, writableStackTrace);
    }
}
