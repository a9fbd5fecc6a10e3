package io.datastorage.core.error;

/**
 * A failure that a retry of the same request may get past: a component is unreachable, too slow,
 * refusing for now (an open circuit breaker, a shutdown under way), or the request ran out of its
 * own time. Nothing is wrong with the request; the same request, later, may succeed.
 *
 * <p>Whether anything of the failed call persisted is the subclass's to say (most: nothing; a
 * commit whose outcome is unknown: perhaps).
 */
public non-sealed abstract class TransientException extends DatastorageException {
    protected TransientException(Component component, String message, Throwable cause) {
        super(component, message, cause, true);
    }

    protected TransientException(Component component, String message, Throwable cause, boolean writableStackTrace) {
        super(component, message, cause, writableStackTrace);
    }
}
