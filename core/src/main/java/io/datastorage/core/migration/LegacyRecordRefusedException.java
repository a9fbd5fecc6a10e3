package io.datastorage.core.migration;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

import java.util.UUID;

/**
 * A legacy store cannot hold a record as it is, by the way it is laid out: a table whose id column
 * is an integer (datastorage's records have UUID ids), a table of one kind asked to hold another,
 * a column whose type cannot keep a field's value. Permanent: the same record is refused again
 * until the layout changes. Nothing was stored. The message names the record and the column,
 * never the record's content.
 */
public final class LegacyRecordRefusedException extends PermanentException {
    private final UUID id;

    public LegacyRecordRefusedException(UUID id, String why) {
        super(Component.LEGACY_STORE, named(Component.LEGACY_STORE, "cannot hold record " + id + ": " + why), null);
        this.id = id;
    }

    public UUID id() {
        return id;
    }
}
