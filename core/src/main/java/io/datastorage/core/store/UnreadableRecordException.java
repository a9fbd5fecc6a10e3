package io.datastorage.core.store;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

import java.util.UUID;

/**
 * A stored record exists but its document cannot be read back (written by an earlier version that
 * accepted what it could not return, or damaged in the database). Permanent: the same read fails
 * again. Reads of one record report it; listings and searches leave such a record out, log it and
 * count it, and answer with the rest.
 *
 * <p>Its message names the record and not the store: it is shown to the client as it is, and
 * names no backend there. {@link #component()} says which store holds the record.
 */
public final class UnreadableRecordException extends PermanentException {
    private final UUID id;

    /** A record in PostgreSQL. */
    public UnreadableRecordException(UUID id, Throwable cause) {
        this(Component.POSTGRESQL, id, cause);
    }

    /** A record in another store. */
    public UnreadableRecordException(Component store, UUID id, Throwable cause) {
        super(store, "record " + id + " is stored but its document cannot be read back", cause);
        this.id = id;
    }

    public UUID id() {
        return id;
    }
}
