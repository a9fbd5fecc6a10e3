package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;

import java.util.Objects;
import java.util.UUID;

/**
 * A write still owed to the secondary side of a migration: put record {@code recordId} of
 * {@code kind} on {@code target}, reading it from the other side (the primary the write ran
 * under). The content is not carried: the primary holds it, and reading it from there when the
 * write is replayed keeps the queue small and the copy exact.
 *
 * @param recordId     the record's id (for a legacy id that is not a UUID, {@link LegacyIds#toUuid} of it)
 * @param kind         the record's kind
 * @param target       the side the record must be put on: the secondary of the phase the write ran under
 * @param phaseVersion the version of the phase the write ran under ({@link PhaseState#version()}), at least 1
 */
public record SecondaryWrite(UUID recordId, AuditKind kind, MigrationSide target, long phaseVersion) {
    public SecondaryWrite {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        if (phaseVersion < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + phaseVersion);
        }
    }

    /** The side the record is read from: the one that is not {@link #target()}. */
    public MigrationSide source() {
        return target == MigrationSide.NEW ? MigrationSide.LEGACY : MigrationSide.NEW;
    }
}
