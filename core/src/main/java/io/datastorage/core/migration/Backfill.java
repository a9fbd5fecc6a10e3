package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.DatastorageException;
import io.datastorage.core.job.JobContext;
import io.datastorage.core.store.UnreadableRecordException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Copies the history one side of a migration holds and the other lacks (the design's "Backfill"),
 * in either {@link BackfillDirection}.
 *
 * <p>How a run goes: each kind's records are scanned from the source in pages of
 * {@link #PAGE_SIZE}, at most {@code recordsPerSecond} scanned per second (a Resilience4j rate
 * limiter). Of each page, the records the target holds already are skipped: the same content (a
 * live write got there first, or an earlier run) or other content (logged by id; never
 * overwritten). The others are put on the target ({@link BackfillSide#putAll}, which never changes a
 * record it holds either). Then the source is read again (the page's range scanned once more, a
 * record looked up by id only when that scan cannot tell): a record put that is gone (a retention
 * removed it between the scan and the put) is removed again from the target and counted as skipped,
 * so a backfill never resurrects a record. After each page the run saves its
 * {@link BackfillCheckpoint}; a run that stops without ending resumes from it, so a page is at most
 * handled twice, which the idempotent put absorbs (its records then count as skipped).
 *
 * <p>A record a side holds but cannot read is never copied and never overwritten: one the source's
 * scan cannot read ({@link LegacyPage#unreadable()}), or one whose id the target holds unreadable.
 * Each is logged and counted in {@link BackfillResult#unreadable()}; the run goes on past it (a page
 * of only unreadable records does not end a kind's scan) and still completes.
 *
 * <p>The run asks its {@link JobContext} before each page (under a lease: renews it) and stops with
 * a {@link CancellationException} when told no, leaving its checkpoint for whoever runs next. A
 * failure of a store ends the run with an incomplete {@link BackfillResult} naming it and clears the
 * checkpoint: a run asked for later starts from the first record again (what it copied stays, and is
 * skipped quickly).
 *
 * <p>Not thread-safe: one run at a time ({@link BackfillJob} makes sure of it).
 */
public final class Backfill {
    private static final Logger log = LoggerFactory.getLogger(Backfill.class);
    /** Records read from the source per page, and the most put on the target in one batch. */
    public static final int PAGE_SIZE = 100;
    /** The limits of {@code recordsPerSecond}. */
    public static final int MIN_RATE = 1;
    public static final int MAX_RATE = 1_000_000;

    /** How far a run is; {@code unreadable}: see {@link BackfillResult#unreadable()}. */
    public record Progress(long scanned, long copied, long skipped, long total, long unreadable) {
        /** Progress of a run that has met no unreadable record. */
        public Progress(long scanned, long copied, long skipped, long total) {
            this(scanned, copied, skipped, total, 0);
        }

        /** Scanned of total, 0..1 (1 when the source held nothing). */
        public double ratio() {
            return total <= 0 ? 1.0 : Math.min(1.0, (double) scanned / total);
        }
    }

    /** Told what a run copied and skipped, page by page (the server counts them). Must not throw. */
    public interface Listener {
        Listener NONE = (direction, copied, skipped) -> { };

        void counted(BackfillDirection direction, long copied, long skipped);

        /** Told, page by page, how many records a side could not read ({@link BackfillResult#unreadable()}). */
        default void unreadable(BackfillDirection direction, long unreadable) {
        }
    }

    private final Map<MigrationSide, BackfillSide> sides = new EnumMap<>(MigrationSide.class);
    private final BackfillCheckpoints checkpoints;
    private final LongSupplier phaseVersion;
    private final RateLimiter limiter;
    private final int recordsPerSecond;
    private final Clock clock;
    private final Listener listener;

    /**
     * @param phaseVersion     the phase version current now, kept with a run that starts
     * @param recordsPerSecond the most source records scanned per second, {@link #MIN_RATE}..{@link #MAX_RATE}
     */
    public Backfill(BackfillSide legacy, BackfillSide newSide, BackfillCheckpoints checkpoints,
                    LongSupplier phaseVersion, int recordsPerSecond, Clock clock, Listener listener) {
        sides.put(MigrationSide.LEGACY, Objects.requireNonNull(legacy, "legacy"));
        sides.put(MigrationSide.NEW, Objects.requireNonNull(newSide, "newSide"));
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.phaseVersion = Objects.requireNonNull(phaseVersion, "phaseVersion");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (recordsPerSecond < MIN_RATE || recordsPerSecond > MAX_RATE) {
            throw new IllegalArgumentException("recordsPerSecond must be " + MIN_RATE + ".." + MAX_RATE + ", was "
                    + recordsPerSecond);
        }
        this.recordsPerSecond = recordsPerSecond;
        this.limiter = RateLimiter.of("migration-backfill", RateLimiterConfig.custom()
                .limitRefreshPeriod(Duration.ofSeconds(1)).limitForPeriod(recordsPerSecond)
                .timeoutDuration(Duration.ofSeconds(2)).build());
    }

    /** The checkpoint of {@code direction}'s unfinished run, if one was left. */
    public Optional<BackfillCheckpoint> unfinished(BackfillDirection direction) {
        return checkpoints.find(direction);
    }

    /**
     * Runs a backfill of {@code direction} to its end, resuming the unfinished one if a checkpoint
     * was left.
     *
     * @param context  asked before each page; no: the run stops, its checkpoint kept
     * @param progress told after each page
     * @return how the run ended: complete, or stopped by a store's failure ({@code error})
     * @throws CancellationException {@code context} said no; the checkpoint stays for the next run
     */
    public BackfillResult run(BackfillDirection direction, JobContext context, Consumer<Progress> progress) {
        Objects.requireNonNull(direction, "direction");
        BackfillSide source = sides.get(direction.source());
        BackfillSide target = sides.get(direction.target());
        Instant startedAt = now();
        long version = 1;
        BackfillCheckpoint at = null;
        try {
            version = phaseVersion.getAsLong();
            at = checkpoints.find(direction).orElse(null);
            if (at == null) {
                long total = 0;
                for (AuditKind kind : AuditKind.values()) {
                    total += source.count(kind);
                }
                at = BackfillCheckpoint.start(direction, version, startedAt, total);
                checkpoints.save(at);
                log.info("Backfill {} started: {} record(s) in {}, at most {} read per second", direction.value(),
                        total, source, recordsPerSecond);
            } else {
                log.info("Backfill {} resumes from its checkpoint: {} of {} record(s) scanned, {} copied, at {} {}",
                        direction.value(), at.scanned(), at.total(), at.copied(), at.kind().pathName(),
                        at.after().map(Object::toString).orElse("(start)"));
            }
            progress.accept(progressOf(at));
            AuditKind[] kinds = AuditKind.values();
            for (int k = at.kind().ordinal(); k < kinds.length; k++) {
                AuditKind kind = kinds[k];
                if (at.kind() != kind) {
                    at = at.startOf(kind);
                    checkpoints.save(at);
                }
                Optional<LegacyPosition> after = at.after();
                do {
                    if (!context.mayContinue()) {
                        throw new CancellationException("the backfill's lease was taken by another replica");
                    }
                    LegacyPage page = source.scan(kind, after, PAGE_SIZE);
                    List<LegacyRecord> records = page.records();
                    if (records.isEmpty() && page.unreadable().isEmpty()) {
                        break;
                    }
                    // A page of only unreadable records is not the end of the scan: its next position says.
                    acquire(records.size() + page.unreadable().size());
                    long[] counts = records.isEmpty() ? new long[] {0, 0, 0}
                            : copy(direction, source, target, kind, after, records);
                    long unreadable = page.unreadable().size() + counts[2];
                    for (LegacyPage.Unreadable entry : page.unreadable()) {
                        log.warn("Backfill {}: {} cannot read {} record {} ({}: {}); not copied, counted as unreadable",
                                direction.value(), source, kind.pathName(), entry.name(), entry.key(), entry.reason());
                    }
                    Optional<LegacyPosition> reached = page.next().isPresent() ? page.next()
                            : records.isEmpty() ? after : Optional.of(LegacyPosition.of(records.getLast()));
                    at = at.after(kind, reached, records.size() + page.unreadable().size(), counts[0], counts[1],
                            unreadable);
                    checkpoints.save(at);
                    listener.counted(direction, counts[0], counts[1]);
                    if (unreadable > 0) {
                        listener.unreadable(direction, unreadable);
                    }
                    progress.accept(progressOf(at));
                    after = page.next();
                } while (after.isPresent());
            }
        } catch (CancellationException e) {
            log.info("Backfill {} stopped ({}); it resumes from its checkpoint", direction.value(), e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            String error = e instanceof DatastorageException ? e.getMessage() : e.toString();
            log.warn("Backfill {} failed: {}; what it copied stays", direction.value(), error,
                    e instanceof DatastorageException ? null : e);
            clear(direction);
            BackfillCheckpoint reached = at;
            return new BackfillResult(direction, reached == null ? Math.max(1, version) : reached.phaseVersion(),
                    reached == null ? startedAt : reached.startedAt(), later(now(), reached == null
                    ? startedAt : reached.startedAt()), false, reached == null ? 0 : reached.scanned(),
                    reached == null ? 0 : reached.copied(), reached == null ? 0 : reached.skipped(),
                    reached == null ? 0 : reached.unreadable(), Optional.of(error == null || error.isBlank() ? e.getClass().getSimpleName() : error));
        }
        clear(direction);
        BackfillResult result = new BackfillResult(direction, at.phaseVersion(), at.startedAt(),
                later(now(), at.startedAt()), true, at.scanned(), at.copied(), at.skipped(), at.unreadable(),
                Optional.empty());
        if (result.unreadable() > 0) {
            log.warn("Backfill {} complete: {} record(s) scanned, {} copied, {} skipped, {} unreadable and not copied "
                            + "(each logged above; repair or remove them in the store that holds them)", direction.value(),
                    result.scanned(), result.copied(), result.skipped(), result.unreadable());
        } else {
            log.info("Backfill {} complete: {} record(s) scanned, {} copied, {} skipped", direction.value(),
                    result.scanned(), result.copied(), result.skipped());
        }
        return result;
    }

    /**
     * @param after where the page of {@code records} was read from
     * @return {copied, skipped, unreadable} of {@code records}; unreadable: the target holds the id but
     *         cannot read it (never overwritten)
     */
    private long[] copy(BackfillDirection direction, BackfillSide source, BackfillSide target, AuditKind kind,
                        Optional<LegacyPosition> after, List<LegacyRecord> records) {
        long skipped = 0;
        long unreadable = 0;
        List<LegacyRecord> lacking = new ArrayList<>();
        for (LegacyRecord record : records) {
            Optional<LegacyRecord> held;
            try {
                held = target.find(record.kind(), record.id());
            } catch (UnreadableRecordException e) {
                log.warn("Backfill {}: {} holds {} record {} but cannot read it; not overwritten, counted as unreadable "
                        + "(the validator reports it): {}", direction.value(), target, record.kind().pathName(),
                        record.id(), e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                unreadable++;
                continue;
            }
            if (held.isEmpty()) {
                lacking.add(record);
                continue;
            }
            skipped++;
            if (!held.get().sameContentAs(record)) {
                log.warn("Backfill {}: {} holds {} record {} with other content; not overwritten (the validator "
                                + "reports it)", direction.value(), target, record.kind().pathName(), record.id());
            }
        }
        if (lacking.isEmpty()) {
            return new long[] {0, skipped, unreadable};
        }
        List<BackfillSide.PutOutcome> outcomes = target.putAll(lacking);
        long copied = 0;
        StillInSource stillThere = null;
        for (int i = 0; i < lacking.size(); i++) {
            LegacyRecord record = lacking.get(i);
            if (outcomes.get(i) != BackfillSide.PutOutcome.CREATED) {
                skipped++;
                continue;
            }
            // The check after the put: a record removed from the source while it was being copied must
            // not live on in the target.
            if (stillThere == null) {
                stillThere = new StillInSource(source, kind, after, records);
            }
            if (!stillThere.holds(record)) {
                target.remove(record);
                log.info("Backfill {}: {} record {} was removed from {} while it was copied; removed again from {}",
                        direction.value(), record.kind().pathName(), record.id(), source, target);
                skipped++;
            } else {
                copied++;
            }
        }
        return new long[] {copied, skipped, unreadable};
    }

    /**
     * Which records of a page the source still holds, read again after the put: the page's range is
     * scanned once more from where it was read (one read, where a find per record costs a JSON-files
     * store a directory listing each). A record the new scan does not show is gone when the scan
     * covered the whole range (it reached the page's last record, or the end); otherwise (the last
     * record itself went, or records added meanwhile pushed it past the limit) it is looked up by id.
     */
    private static final class StillInSource {
        private final BackfillSide source;
        private final java.util.Set<java.util.UUID> seen = new java.util.HashSet<>();
        private final boolean covered;

        StillInSource(BackfillSide source, AuditKind kind, Optional<LegacyPosition> after, List<LegacyRecord> page) {
            this.source = source;
            LegacyPage again = source.scan(kind, after, 2 * PAGE_SIZE);
            again.records().forEach(record -> seen.add(record.id()));
            covered = again.next().isEmpty() || seen.contains(page.getLast().id());
        }

        boolean holds(LegacyRecord record) {
            if (seen.contains(record.id())) {
                return true;
            }
            return !covered && source.find(record.kind(), record.id()).isPresent();
        }
    }

    /** Waits for {@code records} permits, in parts no larger than a second's. */
    private void acquire(int records) {
        int left = records;
        while (left > 0) {
            int part = Math.min(left, recordsPerSecond);
            if (limiter.acquirePermission(part)) {
                left -= part;
            } else if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("interrupted while waiting for the rate limit");
            }
        }
    }

    private void clear(BackfillDirection direction) {
        try {
            checkpoints.clear(direction);
        } catch (RuntimeException e) {
            log.warn("Backfill {}: could not clear its checkpoint ({}); the next run resumes from it",
                    direction.value(), e.getMessage());
        }
    }

    private static Progress progressOf(BackfillCheckpoint at) {
        return new Progress(at.scanned(), at.copied(), at.skipped(), at.total(), at.unreadable());
    }

    /** Now, to the microsecond: the resolution at which every store keeps a result's times. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static Instant later(Instant now, Instant startedAt) {
        return now.isBefore(startedAt) ? startedAt : now;
    }
}
