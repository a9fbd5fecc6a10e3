package io.datastorage.core.migration;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * How a backfill run ended, as every replica reads it ({@link MigrationRuns}); the promotion gates
 * read the last {@code legacy-to-new} one to allow the move {@code DUAL_WRITE_LEGACY_PRIMARY →
 * DUAL_WRITE_NEW_PRIMARY}, and search's {@link MigrationReads#newSideComplete()} to say the new
 * store holds the legacy history ({@link PromotionGates#historyCopied}).
 *
 * @param direction    which way it copied
 * @param phaseVersion the phase version current when the run started
 * @param startedAt    when the run started (first start, not the last resume)
 * @param finishedAt   when it ended, at or after {@code startedAt}
 * @param complete     {@code true} when every record of the source was scanned and each one the
 *                     target lacked was copied (or reported as refused); {@code false} when the run
 *                     stopped early ({@code error} says why)
 * @param scanned      source records read, at least {@code copied + skipped}
 * @param copied       records the target lacked and now holds
 * @param skipped      records not copied: held by the target already (possibly newer, written live),
 *                     or removed from the source before they could be copied
 * @param unreadable   records not copied because a side holds them but cannot read them: the source's
 *                     scan could not read them ({@link LegacyPage#unreadable()}), or the target holds
 *                     the id unreadable (never overwritten); each is logged. A complete run may have
 *                     some: it walked everything, but they are still to be repaired by hand, and the
 *                     sync validation reports them until they are
 * @param error        why the run stopped early; empty when it completed
 */
public record BackfillResult(BackfillDirection direction, long phaseVersion, Instant startedAt, Instant finishedAt,
                             boolean complete, long scanned, long copied, long skipped, long unreadable,
                             Optional<String> error) {
    public BackfillResult {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(error, "error");
        if (phaseVersion < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + phaseVersion);
        }
        if (finishedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("a backfill cannot finish (" + finishedAt + ") before it started (" + startedAt + ")");
        }
        if (copied < 0 || skipped < 0 || unreadable < 0 || scanned < copied + skipped + unreadable) {
            throw new IllegalArgumentException("counts must satisfy 0 <= copied + skipped + unreadable <= scanned, were "
                    + "scanned " + scanned + ", copied " + copied + ", skipped " + skipped + ", unreadable " + unreadable);
        }
        if (complete == error.isPresent()) {
            throw new IllegalArgumentException("a complete run has no error and an incomplete one has one");
        }
    }

    /** A result in which every record met could be read. */
    public BackfillResult(BackfillDirection direction, long phaseVersion, Instant startedAt, Instant finishedAt,
                          boolean complete, long scanned, long copied, long skipped, Optional<String> error) {
        this(direction, phaseVersion, startedAt, finishedAt, complete, scanned, copied, skipped, 0, error);
    }
}
