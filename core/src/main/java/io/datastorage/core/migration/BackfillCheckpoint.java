package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an unfinished backfill stands, kept after each page ({@link BackfillCheckpoints}) so that a
 * run that stopped (a crash, a lost lease, a shutdown) resumes here instead of from the start.
 * Every record of the kinds before {@code kind}, and of {@code kind} up to {@code after}, has been
 * scanned and handled.
 *
 * @param direction    which way the run copies
 * @param phaseVersion the phase version current when the run first started
 * @param startedAt    when the run first started
 * @param kind         the kind the run is scanning
 * @param after        the source's position of the last record handled in {@code kind}; empty: the
 *                     kind's scan starts from its first record
 * @param scanned      source records read so far
 * @param copied       records copied so far
 * @param skipped      records not copied so far
 * @param total        the source's records when the run started (for the progress; records written
 *                     since may make {@code scanned} pass it)
 * @param unreadable   records not copied so far because a side could not read them
 *                     ({@link BackfillResult#unreadable()})
 */
public record BackfillCheckpoint(BackfillDirection direction, long phaseVersion, Instant startedAt, AuditKind kind,
                                 Optional<LegacyPosition> after, long scanned, long copied, long skipped, long total,
                                 long unreadable) {
    public BackfillCheckpoint {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(after, "after");
        if (phaseVersion < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + phaseVersion);
        }
        if (copied < 0 || skipped < 0 || unreadable < 0 || scanned < copied + skipped + unreadable || total < 0) {
            throw new IllegalArgumentException("counts must satisfy 0 <= copied + skipped + unreadable <= scanned and "
                    + "total >= 0, were scanned " + scanned + ", copied " + copied + ", skipped " + skipped
                    + ", unreadable " + unreadable + ", total " + total);
        }
    }

    /** A checkpoint of a run that has met no unreadable record. */
    public BackfillCheckpoint(BackfillDirection direction, long phaseVersion, Instant startedAt, AuditKind kind,
                              Optional<LegacyPosition> after, long scanned, long copied, long skipped, long total) {
        this(direction, phaseVersion, startedAt, kind, after, scanned, copied, skipped, total, 0);
    }

    /** The start of a run: the first kind from its first record, nothing counted. */
    public static BackfillCheckpoint start(BackfillDirection direction, long phaseVersion, Instant startedAt, long total) {
        return new BackfillCheckpoint(direction, phaseVersion, startedAt, AuditKind.values()[0], Optional.empty(),
                0, 0, 0, total, 0);
    }

    /** This checkpoint after one more page of {@code kind}, ending at {@code after}. */
    public BackfillCheckpoint after(AuditKind kind, LegacyPosition after, long scanned, long copied, long skipped) {
        return after(kind, Optional.of(after), scanned, copied, skipped, 0);
    }

    /**
     * This checkpoint after one more page of {@code kind}, ending at {@code after} (empty: the kind's
     * scan has read nothing it could place yet, only unreadable records).
     */
    public BackfillCheckpoint after(AuditKind kind, Optional<LegacyPosition> after, long scanned, long copied,
                                    long skipped, long unreadable) {
        return new BackfillCheckpoint(direction, phaseVersion, startedAt, kind, after, this.scanned + scanned,
                this.copied + copied, this.skipped + skipped, total, this.unreadable + unreadable);
    }

    /** This checkpoint at the start of {@code kind}. */
    public BackfillCheckpoint startOf(AuditKind kind) {
        return new BackfillCheckpoint(direction, phaseVersion, startedAt, kind, Optional.empty(), scanned, copied,
                skipped, total, unreadable);
    }
}
