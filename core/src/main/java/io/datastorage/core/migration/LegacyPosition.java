package io.datastorage.core.migration;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a scan of a legacy store stands: after the record created at {@code createdAt} with the
 * store's key {@code key}. Scans run in ascending {@code createdAt}; records created at the same
 * instant follow in an order of their keys that the store defines and keeps (a table's id column
 * in its own order, a file name in byte order), so a position is an exact place to resume from.
 * Only the store that handed out a position can interpret its key.
 *
 * @param createdAt the last scanned record's {@code createdAt}
 * @param key       the last scanned record's {@link LegacyRecord#storageKey() storage key}
 */
public record LegacyPosition(Instant createdAt, String key) {
    public LegacyPosition {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(key, "key");
    }

    /** The position of {@code record}: a scan from here continues with the record after it. */
    public static LegacyPosition of(LegacyRecord record) {
        return new LegacyPosition(record.createdAt(), record.storageKey());
    }
}
