package io.datastorage.core.store;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

import java.util.UUID;

/**
 * A write gave a record id ({@link NewRecord#id()}) that is stored already with other content
 * (kind, legacy id or document, compared in canonical JSON). Records are immutable: the store keeps
 * the one it has, writes nothing of the request, and refuses; the same write fails again. Seen by a
 * migration, the two sides disagree about a record: the validator's to report, never a write's to
 * overwrite. The message names the record, never its content.
 */
public final class RecordConflictException extends PermanentException {
    private final UUID id;

    public RecordConflictException(UUID id) {
        super(Component.POSTGRESQL, named(Component.POSTGRESQL,
                "record " + id + " is stored already with other content"), null);
        this.id = id;
    }

    public UUID id() {
        return id;
    }
}
