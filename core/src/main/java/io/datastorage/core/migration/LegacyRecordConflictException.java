package io.datastorage.core.migration;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

import java.util.UUID;

/**
 * A {@link LegacyStore#put} met a record already stored under the same id with other content (kind,
 * createdAt, legacy id or document). Records are immutable, so the store keeps the one it has and
 * refuses: permanent, the same put fails again. Seen by a migration, it means the two stores
 * disagree about a record, which is the validator's to report, never a write's to overwrite.
 * The message names the record and never its content.
 */
public final class LegacyRecordConflictException extends PermanentException {
    private final UUID id;

    public LegacyRecordConflictException(UUID id, String storageKey) {
        super(Component.LEGACY_STORE, named(Component.LEGACY_STORE,
                "legacy store already holds record " + id + " (key '" + storageKey + "') with other content"), null);
        this.id = id;
    }

    public UUID id() {
        return id;
    }
}
