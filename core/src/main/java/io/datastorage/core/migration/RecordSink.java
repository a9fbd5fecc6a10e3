package io.datastorage.core.migration;

import java.util.Objects;

/**
 * One side of a migration as {@link SecondaryWriteJob} writes it: where a queued secondary write
 * puts the record it read from the primary.
 *
 * <p>Contract: {@link #put} is idempotent by record id, as {@link LegacyStore#put} is: putting a
 * record the side already holds with the same content changes nothing, so replaying a write whose
 * outcome was unknown leaves exactly one copy. A record held with other content is refused with a
 * {@link io.datastorage.core.error.PermanentException} and stays as it was (the stores disagree:
 * the validator's to report, never a replay's to overwrite). A side that cannot be reached throws a
 * {@link io.datastorage.core.error.TransientException}; the record may or may not have been put.
 */
@FunctionalInterface
public interface RecordSink {

    /** Puts {@code record} on this side durably, unless it is there already. */
    void put(LegacyRecord record);

    /** A legacy store written as a sink. */
    static RecordSink of(LegacyStore store) {
        Objects.requireNonNull(store, "store");
        return store::put;
    }
}
