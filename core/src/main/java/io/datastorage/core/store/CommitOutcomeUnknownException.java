package io.datastorage.core.store;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;

/**
 * The connection to the store broke while a commit was under way, so the write may or may not
 * have committed: the database may have made the commit durable and died before it could answer.
 * Transient. The caller must not undo anything on the strength of it (a committed record would
 * lose its vector) and must not claim that nothing was stored; retrying the same request with the
 * same idempotency key answers which it was (a replay, or a fresh write).
 */
public final class CommitOutcomeUnknownException extends TransientException {
    /** A commit to PostgreSQL. */
    public CommitOutcomeUnknownException(String message, Throwable cause) {
        this(Component.POSTGRESQL, message, cause);
    }

    /** A commit to another store. */
    public CommitOutcomeUnknownException(Component store, String message, Throwable cause) {
        super(store, named(store, message), cause);
    }
}
