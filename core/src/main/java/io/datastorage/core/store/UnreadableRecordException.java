package io.datastorage.core.store;

import java.util.UUID;

/**
 * A stored record exists but its document cannot be read back (written by an earlier version that
 * accepted what it could not return, or damaged in the database). Reads of one record report it;
 * listings and searches leave such a record out, log it and count it, and answer with the rest.
 */
public final class UnreadableRecordException extends RuntimeException {
    private final UUID id;

    public UnreadableRecordException(UUID id, Throwable cause) {
        super("record " + id + " is stored but its document cannot be read back", cause);
        this.id = id;
    }

    public UUID id() {
        return id;
    }
}
