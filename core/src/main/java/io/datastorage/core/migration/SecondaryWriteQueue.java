package io.datastorage.core.migration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable queue of writes owed to a migration's secondary side: a secondary write that failed,
 * or that has not run yet (async mode), is enqueued here, and {@link SecondaryWriteJob} replays it
 * until it lands. Writes are idempotent by record id on both sides, so replaying a write whose
 * outcome is unknown leaves exactly one copy.
 *
 * <p>Contract (checked for every implementation by {@code SecondaryWriteQueueContract}):
 * <ul>
 *   <li><b>Shapes.</b> An entry is keyed by (record id, target side). {@link #enqueue} of a key
 *       already queued changes nothing (the first entry keeps its phase version, enqueue time,
 *       attempts and schedule) and is not counted as added; the same record for the other side is
 *       another entry. An entry stays until {@link #complete}d.</li>
 *   <li><b>Due.</b> An entry is due when its due time has come: at once when enqueued; after a
 *       claim, once the claim duration has passed without a {@link #complete} (the worker died or
 *       hung); after {@link #retryLater}, once its backoff has passed. {@link #claim} returns only
 *       due entries, the longest due first, and makes each one not due for the claim duration.</li>
 *   <li><b>Concurrency.</b> Safe for concurrent use by threads and, for PostgreSQL, by replicas: of
 *       workers claiming at the same time, each due entry goes to at most one of them until its
 *       claim expires. A claim is fenced by its token ({@link SecondaryWriteEntry#claim}): once an
 *       expired claim has been taken over (or the entry completed and enqueued anew),
 *       {@link #complete} and {@link #retryLater} of the old claim change nothing and answer
 *       {@code false}, so a slow worker can neither drop the entry another worker is writing nor
 *       push its schedule.</li>
 *   <li><b>Time</b> is the queue's clock: the database's ({@code now()}) in PostgreSQL, so the
 *       replicas' clocks do not matter; the in-memory queue takes a {@link java.time.Clock}.</li>
 *   <li><b>Errors.</b> Bad arguments → {@link IllegalArgumentException}; the queue's store cannot
 *       be reached → {@link io.datastorage.core.store.StoreUnavailableException} (transient; a claim
 *       whose answer was lost this way only delays its entries until the claim expires); the
 *       connection broke while an {@link #enqueue} committed →
 *       {@link io.datastorage.core.store.CommitOutcomeUnknownException} (transient: the writes may
 *       have been queued; enqueueing them again is safe); an unexpected failure →
 *       {@link io.datastorage.core.store.StoreException} (permanent). All of them are
 *       {@link io.datastorage.core.error.Component#POSTGRESQL}'s: the queue lives there.</li>
 * </ul>
 *
 * <p><b>Where the queue lives, and the one gap it cannot close.</b> The queue is a table in
 * datastorage's own PostgreSQL. When PostgreSQL is the primary
 * ({@link MigrationPhase#DUAL_WRITE_NEW_PRIMARY}), the router can enqueue in the primary's own
 * transaction, so a record committed is a record queued and no crash can lose its secondary write
 * (in sync mode too, if the entry is then removed once the secondary write succeeded; enqueueing
 * only after a failed secondary write leaves the same gap as below). When the legacy
 * store is the primary ({@link MigrationPhase#DUAL_WRITE_LEGACY_PRIMARY}) no transaction spans
 * both, and a crash after the legacy commit but before the enqueue (or the secondary write) leaves
 * a record on the legacy side only, which no queue knows of. The {@link SyncValidator} closes that
 * gap: it compares the two stores by range (each kind in {@code createdAt} slices, as
 * {@link LegacyStore#scan} lists them), and repairs every record the primary holds and the
 * secondary lacks by putting it from the primary (the same idempotent put this queue's job does),
 * never by re-creating records; a record only the secondary holds is reported, not deleted. Run
 * after a crash and before a phase moves on, it leaves the secondary complete.
 */
public interface SecondaryWriteQueue {

    /** The most entries one {@link #claim} returns. */
    int MAX_CLAIM = 1000;

    /** The longest claim or backoff: a write that cannot be retried within a day is parked, not lost. */
    Duration MAX_DELAY = Duration.ofDays(1);

    /** The longest error kept with an entry, in characters; a longer one is cut. */
    int MAX_ERROR_LENGTH = 1024;

    /** How many entries are queued and the enqueue time of the oldest (for the queue metrics). */
    record Backlog(long depth, Optional<Instant> oldestEnqueuedAt) {
        public Backlog {
            Objects.requireNonNull(oldestEnqueuedAt, "oldestEnqueuedAt");
            if (depth < 0 || (depth == 0) != oldestEnqueuedAt.isEmpty()) {
                throw new IllegalArgumentException("a backlog of " + depth + " entries with oldest " + oldestEnqueuedAt);
            }
        }

        /** An empty queue. */
        public static final Backlog EMPTY = new Backlog(0, Optional.empty());
    }

    /**
     * Enqueues the writes, each due at once, except those whose (record id, target) is queued
     * already: durably, all or none.
     *
     * @return how many entries were added
     */
    default int enqueue(List<SecondaryWrite> writes) {
        return enqueue(writes, Duration.ZERO);
    }

    /**
     * Like {@link #enqueue(List)}, each added entry due only after {@code dueIn}: the router queues a
     * write it is about to make itself (sync mode) due after that write's time bound, so the job
     * never races it (under policy {@code fail} the job could otherwise put a record whose write the
     * router then undoes).
     *
     * @param dueIn zero or more, at most {@link #MAX_DELAY}
     */
    int enqueue(List<SecondaryWrite> writes, Duration dueIn);

    /** Enqueues one write: {@link #enqueue(List)}. @return whether it was added */
    default boolean enqueue(SecondaryWrite write) {
        return enqueue(List.of(write)) == 1;
    }

    /**
     * Claims up to {@code limit} due entries, the longest due first, and makes them not due for
     * {@code duration}; each claim counts one attempt.
     *
     * @param limit    1..{@link #MAX_CLAIM}
     * @param duration more than zero, at most {@link #MAX_DELAY}: longer than the worker takes to
     *                 write the batch, or the entries are claimed again while it writes
     */
    List<SecondaryWriteEntry> claim(int limit, Duration duration);

    /**
     * Removes the entry: its write landed (or was given up, and said so in the log).
     *
     * @return whether the claim was still the entry's latest (otherwise nothing changed)
     */
    boolean complete(SecondaryWriteEntry entry);

    /**
     * Makes the entry due again after {@code backoff}, recording {@code error} (cut to
     * {@link #MAX_ERROR_LENGTH} characters) for the next attempt and for status.
     *
     * @param backoff zero or more, at most {@link #MAX_DELAY}
     * @return whether the claim was still the entry's latest (otherwise nothing changed)
     */
    boolean retryLater(SecondaryWriteEntry entry, Duration backoff, String error);

    /**
     * Removes the entries of these writes, by (record id, target), whatever their claim: the router
     * wrote them itself (sync mode) or undid their primary write. A worker that claimed one
     * meanwhile puts the record again (idempotent) and its {@link #complete} answers {@code false}.
     * Keys not queued are skipped.
     *
     * @return how many entries were removed
     */
    int discard(List<SecondaryWrite> writes);

    /**
     * Whether a write of record {@code recordId} to {@code target} is queued (due, claimed or
     * waiting for a retry): a shadow read that does not find the record on {@code target} then
     * reports it pending, not missing.
     */
    boolean holds(UUID recordId, MigrationSide target);

    /**
     * Whether any write to {@code target} is queued (due, claimed or waiting for a retry): search's
     * {@link MigrationReads#newSideComplete()} asks it of {@link MigrationSide#NEW}.
     */
    boolean holdsAny(MigrationSide target);

    /** How many entries are queued (due, claimed or waiting for a retry) and the oldest one's enqueue time. */
    Backlog backlog();

    /** Checks an enqueue's delay, as every implementation does. */
    static Duration checkDueIn(Duration dueIn) {
        if (dueIn == null || dueIn.isNegative() || dueIn.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("an entry is due in zero to a day, was " + dueIn);
        }
        return dueIn;
    }

    /** Checks a claim's arguments, as every implementation does. */
    static void checkClaim(int limit, Duration duration) {
        if (limit < 1 || limit > MAX_CLAIM) {
            throw new IllegalArgumentException("a claim takes 1.." + MAX_CLAIM + " entries, was " + limit);
        }
        if (duration == null || duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("a claim lasts more than zero and at most a day, was " + duration);
        }
    }

    /** Checks a retry's backoff and cuts its error to {@link #MAX_ERROR_LENGTH} characters (NUL replaced). */
    static String checkRetry(SecondaryWriteEntry entry, Duration backoff, String error) {
        Objects.requireNonNull(entry, "entry");
        if (backoff == null || backoff.isNegative() || backoff.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("a backoff is zero to a day, was " + backoff);
        }
        // NUL cannot be stored in a PostgreSQL text column; an error message is no place for it anyway
        String text = error == null || error.isBlank() ? "failed" : error.replace('\0', '\uFFFD');
        if (text.codePointCount(0, text.length()) <= MAX_ERROR_LENGTH) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, MAX_ERROR_LENGTH - 1)) + "…";
    }
}
