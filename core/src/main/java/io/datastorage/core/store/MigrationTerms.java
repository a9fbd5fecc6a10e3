package io.datastorage.core.store;

/**
 * What a write's transaction must also do when a migration routes it with PostgreSQL as the primary
 * (see {@code io.datastorage.core.migration.MigrationRouter}).
 *
 * <ul>
 *   <li><b>Fence.</b> Before anything else, the transaction takes a shared lock on the stored
 *       migration phase and checks that its version is {@code phaseVersion}; if not, it throws
 *       {@code io.datastorage.core.migration.PhaseChangedException} and writes nothing. A phase
 *       change ({@code UPDATE … WHERE version = v}) waits for those shared locks, so no write
 *       fenced to {@code v} commits after {@code v + 1} is stored.</li>
 *   <li><b>Queue.</b> When {@code queueForLegacy}, every record written (not a replayed request's)
 *       is also enqueued, in the same transaction, as a secondary write to the legacy side
 *       ({@code SecondaryWrite(id, kind, LEGACY, phaseVersion)}): a record committed is a record
 *       queued, whatever crashes next.</li>
 * </ul>
 *
 * @param phaseVersion the version of the phase the write runs under, at least 1
 * @param queueDueIn   when the queued entries become due for the queue's job: after the router's
 *                     own secondary write had its time (sync mode), at once otherwise
 */
public record MigrationTerms(long phaseVersion, boolean queueForLegacy, java.time.Duration queueDueIn) {
    public MigrationTerms {
        if (phaseVersion < 1) {
            throw new IllegalArgumentException("a phase version starts at 1, was " + phaseVersion);
        }
        if (queueDueIn == null || queueDueIn.isNegative()) {
            throw new IllegalArgumentException("queued entries are due in zero or more, was " + queueDueIn);
        }
    }

    /** Terms whose queued entries are due at once. */
    public MigrationTerms(long phaseVersion, boolean queueForLegacy) {
        this(phaseVersion, queueForLegacy, java.time.Duration.ZERO);
    }
}
