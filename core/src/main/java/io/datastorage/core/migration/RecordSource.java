package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One side of a migration as {@link SecondaryWriteJob} reads it: the record a queued secondary
 * write must copy, read from the primary it was written to. The record travels as a
 * {@link LegacyRecord}, the one shape both sides share (id, kind, createdAt, the exact document,
 * the legacy id); the side's adapter maps its own.
 *
 * <p>A failure to read is thrown as the side's {@link io.datastorage.core.error.DatastorageException}
 * ({@link io.datastorage.core.error.TransientException} when a retry can help).
 */
@FunctionalInterface
public interface RecordSource {

    /** The record of {@code kind} with {@code id}, if this side holds it. */
    Optional<LegacyRecord> find(AuditKind kind, UUID id);

    /** A legacy store read as a source. */
    static RecordSource of(LegacyStore store) {
        Objects.requireNonNull(store, "store");
        return store::find;
    }
}
