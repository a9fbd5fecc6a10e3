package io.datastorage.core.migration;

import io.datastorage.core.error.DatastorageException;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.job.BatchedJob;
import io.datastorage.core.job.JobContext;
import io.github.resilience4j.core.IntervalFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replays the {@link SecondaryWriteQueue}: claims a batch of due entries, reads each record from
 * the side it was written to first ({@link SecondaryWrite#source()}) and puts it on its target,
 * then completes the entry. Puts are idempotent by record id ({@link RecordSink}), so an entry
 * replayed after an unknown outcome, or by two workers whose claims overlapped, leaves one copy.
 *
 * <p>A failed entry is made due again after an exponential backoff with jitter (Resilience4j's
 * {@link IntervalFunction}, bounded by {@link Settings#maxBackoff()}), its error recorded. A
 * transient failure of a side ends the batch: the entries not tried yet are rescheduled the same
 * way without calls to a side that is down (a store that does not answer costs a timeout per call).
 * A permanent failure (a conflict: the target holds the record with other content) is logged at
 * warn and retried on the same schedule, growing to the longest backoff: the entry stays visible in
 * the queue's depth and age until someone looks, and the validator reports the disagreement.
 *
 * <p>A record its source does not hold is one whose primary write failed after it was queued (or
 * whose primary has not committed it yet): it is retried until its entry is older than
 * {@link Settings#missingGrace()}, then dropped, with a log line naming the record. The age is
 * {@link SecondaryWriteEntry#age()}, measured by the queue's clock alone (the database's), never by
 * this replica's: a replica whose clock runs ahead would otherwise drop, as too old, the entry of
 * a record whose primary has not committed it yet.
 *
 * <p>Failures of the queue itself are thrown (the run ends; claimed entries become due again when
 * their claim expires).
 */
public final class SecondaryWriteJob implements BatchedJob {
    private static final Logger log = LoggerFactory.getLogger(SecondaryWriteJob.class);
    /** Batches per run: a backlog drains steadily, and a lease is renewed between batches. */
    public static final int MAX_BATCHES_PER_RUN = 10;

    /**
     * How the job replays.
     *
     * @param batchSize      entries claimed per batch, 1..{@link SecondaryWriteQueue#MAX_CLAIM}
     * @param claimDuration  how long a batch's entries stay claimed: longer than a batch's writes
     *                       can take (their timeouts), at most {@link SecondaryWriteQueue#MAX_DELAY}
     * @param initialBackoff the backoff after a first failure, at least 1 ms
     * @param maxBackoff     the longest backoff, at least {@code initialBackoff}, at most
     *                       {@link SecondaryWriteQueue#MAX_DELAY}
     * @param missingGrace   how long a record its source does not hold is retried before its
     *                       entry is dropped, more than zero
     */
    public record Settings(int batchSize, Duration claimDuration, Duration initialBackoff, Duration maxBackoff,
                           Duration missingGrace) {
        public Settings {
            SecondaryWriteQueue.checkClaim(batchSize, claimDuration);
            if (initialBackoff == null || initialBackoff.compareTo(Duration.ofMillis(1)) < 0) {
                // IntervalFunction counts in milliseconds and refuses less than one
                throw new IllegalArgumentException("initialBackoff must be at least 1 ms, was " + initialBackoff);
            }
            if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0
                    || maxBackoff.compareTo(SecondaryWriteQueue.MAX_DELAY) > 0) {
                throw new IllegalArgumentException("maxBackoff must be " + initialBackoff + " to a day, was " + maxBackoff);
            }
            if (missingGrace == null || missingGrace.isNegative() || missingGrace.isZero()) {
                throw new IllegalArgumentException("missingGrace must be more than zero, was " + missingGrace);
            }
        }

        /**
         * 50 entries claimed for 1 min, backoff 1 s doubling to 30 s, records missing for 1 h dropped.
         * The claim is what a crashed worker's entries wait before another run takes them (a tester saw
         * a 5 min claim hold 19 entries back after a kill -9), so it is short; a batch that takes longer
         * (50 slow but successful calls) is claimed again and put twice, which the idempotent put absorbs.
         * The longest backoff is what the queue may lag behind a store that came back (5 min made a
         * 30 s outage drain in 45 s); a store that stays down costs one call per batch, since a
         * transient failure reschedules the rest of the batch without calls.
         */
        public static Settings defaults() {
            return new Settings(50, Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(30),
                    Duration.ofHours(1));
        }
    }

    private final SecondaryWriteQueue queue;
    private final Map<MigrationSide, RecordSource> sources;
    private final Map<MigrationSide, RecordSink> sinks;
    private final Settings settings;
    private final IntervalFunction backoff;

    /**
     * @param sources each side as read, for entries whose target is the other side
     * @param sinks   each side as written, for entries that target it
     */
    public SecondaryWriteJob(SecondaryWriteQueue queue, Map<MigrationSide, RecordSource> sources,
                             Map<MigrationSide, RecordSink> sinks, Settings settings) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.sources = new EnumMap<>(Objects.requireNonNull(sources, "sources"));
        this.sinks = new EnumMap<>(Objects.requireNonNull(sinks, "sinks"));
        this.settings = Objects.requireNonNull(settings, "settings");
        for (MigrationSide side : MigrationSide.values()) {
            Objects.requireNonNull(this.sources.get(side), "a record source for " + side);
            Objects.requireNonNull(this.sinks.get(side), "a record sink for " + side);
        }
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), 2.0, 0.5,
                settings.maxBackoff());
    }

    @Override
    public String name() {
        return "secondary-writes";
    }

    /**
     * Replays up to {@link #MAX_BATCHES_PER_RUN} batches, stopping after a batch that landed fewer
     * than a full batch or when {@code context} says so.
     *
     * @return how many entries were completed (landed, or dropped as missing from their source)
     * @throws RuntimeException the queue failed; what was completed before stays completed
     */
    @Override
    public long runOnce(JobContext context) {
        AtomicLong done = new AtomicLong();
        try {
            return BatchedJob.drain(context, MAX_BATCHES_PER_RUN, settings.batchSize(), this::replayOneBatch, done);
        } catch (TransientException e) {
            log.warn("Secondary writes wait: {}", e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            log.warn("Secondary writes failed; they run again later", e);
            throw e;
        } finally {
            if (done.get() > 0) {
                log.info("Replayed {} secondary write(s)", done.get());
            }
        }
    }

    /** @return how many entries were completed; fewer than a batch ends the run */
    private int replayOneBatch() {
        List<SecondaryWriteEntry> batch = queue.claim(settings.batchSize(), settings.claimDuration());
        int completed = 0;
        for (int i = 0; i < batch.size(); i++) {
            SecondaryWriteEntry entry = batch.get(i);
            try {
                if (replay(entry)) {
                    completed++;
                }
            } catch (TransientException e) {
                String error = e.getMessage();
                log.debug("Secondary write of record {} to {} waits: {}", entry.write().recordId(),
                        entry.write().target(), error);
                queue.retryLater(entry, backoffAfter(entry), error);
                for (SecondaryWriteEntry untried : batch.subList(i + 1, batch.size())) {
                    queue.retryLater(untried, backoffAfter(untried), "not tried: " + error);
                }
                return 0;
            } catch (RuntimeException e) {
                String error = e instanceof DatastorageException ? e.getMessage() : e.toString();
                log.warn("Secondary write of record {} to {} failed (attempt {}); retried later: {}",
                        entry.write().recordId(), entry.write().target(), entry.attempt(), error);
                queue.retryLater(entry, backoffAfter(entry), error);
            }
        }
        return completed;
    }

    /** @return whether the entry was completed (false: rescheduled, the record not yet in its source) */
    private boolean replay(SecondaryWriteEntry entry) {
        SecondaryWrite write = entry.write();
        Optional<LegacyRecord> record = sources.get(write.source()).find(write.kind(), write.recordId());
        if (record.isEmpty()) {
            Duration age = entry.age();
            if (age.compareTo(settings.missingGrace()) < 0) {
                queue.retryLater(entry, backoffAfter(entry), "the " + write.source() + " side does not hold record "
                        + write.recordId() + " (yet)");
                return false;
            }
            log.warn("Dropped the secondary write of {} record {} to {}: the {} side has not held it for {} "
                            + "(its primary write failed)", write.kind().pathName(), write.recordId(), write.target(),
                    write.source(), age);
            return queue.complete(entry);
        }
        sinks.get(write.target()).put(record.get());
        queue.complete(entry);
        return true;
    }

    /** Exponential in the attempts, with jitter, never above the configured maximum. */
    private Duration backoffAfter(SecondaryWriteEntry entry) {
        long millis = backoff.apply(entry.attempt());
        Duration interval = Duration.ofMillis(Math.max(0, millis));
        return interval.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : interval;
    }
}
