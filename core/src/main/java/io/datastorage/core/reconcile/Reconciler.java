package io.datastorage.core.reconcile;

import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.VectorLedger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Makes the vector index hold exactly what PostgreSQL says it should: one entry per record with
 * an embedding, matching that record, and nothing else.
 *
 * <p>Nothing is loaded wholesale. Both sides are summarised per slice of the id space (count and
 * XOR of 64-bit fingerprints, {@link SliceDigest}); only the slices whose summaries differ are
 * compared id by id, and only the records to repair are read with their vectors. A consistent
 * million records costs two aggregate queries.
 *
 * <p>Races with live writes are harmless: PostgreSQL is read before the index (so a record that
 * committed before the read is visible in the index as well), rewriting an entry is idempotent,
 * and an entry without a committed record (an orphan candidate) is deleted only when
 * <ol>
 *   <li>no write of this process has it in flight ({@link InFlightWrites});</li>
 *   <li>its write is settled: a write of this process put it in and has ended, or the index says
 *       it was written longer than the <b>grace period</b> ago ({@link VectorIndex#writtenAt}; an
 *       entry without a known write time counts as old) or before every write still possible
 *       ({@link VectorIndex#writesSettledBefore}: an embedded index's earlier processes). A write of another replica puts its
 *       vectors into a shared index before its transaction commits, and this process cannot see
 *       it; its entry is young until the write has committed or given up, because a write
 *       upserts within its deadline and commits right after. Hence the grace period must exceed
 *       the write deadline, with a margin for the commit and for clocks that disagree;</li>
 *   <li>PostgreSQL still lacks the record when asked again.</li>
 * </ol>
 *
 * <p>One run at a time; a second caller waits for the first to finish and then runs its own.
 */
public final class Reconciler {
    /** 4,096 slices: about 250 records per slice at a million. */
    public static final int DEFAULT_BITS = 12;
    /** The default grace period: the default write deadline (30 s) and a margin of 90 s. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(2);

    /** Told how far a run is. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        /** {@code done} of {@code total} differing slices compared (total is 0 when none differ). */
        void slices(int done, int total);
    }

    private final VectorLedger ledger;
    private final IndexBacklog backlog;
    private final VectorIndex index;
    private final InFlightWrites inFlight;
    private final int bits;
    private final int batchSize;
    private final Duration grace;
    private final Clock clock;

    /**
     * @param ledger  what PostgreSQL says the index should hold
     * @param backlog where the records found indexed are marked so, with their fingerprints
     * @param grace how old an orphan candidate must be before it is deleted (see the class
     *              comment): longer than the write deadline; zero only where nothing writes the
     *              index concurrently (a benchmark)
     * @param clock what the age of an entry is measured by, against the index's write times
     */
    public Reconciler(VectorLedger ledger, IndexBacklog backlog, VectorIndex index, InFlightWrites inFlight,
                      int bits, int batchSize, Duration grace, Clock clock) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.backlog = Objects.requireNonNull(backlog, "backlog");
        this.index = Objects.requireNonNull(index, "index");
        this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
        IdSlices.count(bits);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        this.bits = bits;
        this.batchSize = batchSize;
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be zero or more, was " + grace);
        }
        this.grace = grace;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Compares and repairs.
     *
     * @throws io.datastorage.core.index.IndexUnavailableException  the index failed (what was repaired stays repaired)
     * @throws io.datastorage.core.store.StoreException            PostgreSQL failed (likewise)
     */
    public synchronized ReconcileReport run(Progress progress) {
        Instant startedAt = clock.instant();
        long started = System.nanoTime();
        SliceDigest expected = ledger.vectorDigest(bits);
        index.refresh();
        SliceDigest actual = index.digest(bits);
        List<Integer> differing = expected.differing(actual);
        Tally tally = new Tally();
        progress.slices(0, differing.size());
        for (int i = 0; i < differing.size(); i++) {
            reconcileSlice(differing.get(i), tally);
            progress.slices(i + 1, differing.size());
        }
        return new ReconcileReport(startedAt, Duration.ofNanos(System.nanoTime() - started), expected.total(),
                actual.total(), IdSlices.count(bits), differing.size(), tally.missing, tally.changed, tally.orphans,
                tally.inFlight, tally.tooYoung, tally.repaired);
    }

    private static final class Tally {
        long missing;
        long changed;
        long orphans;
        long inFlight;
        long tooYoung;
        long repaired;
    }

    private void reconcileSlice(int slice, Tally tally) {
        Map<UUID, Long> expected = new HashMap<>(ledger.vectorFingerprints(slice, bits));
        index.refresh();
        Map<UUID, Long> actual = index.fingerprints(slice, bits);

        // Records whose fingerprint was never kept (pending, or indexed before fingerprints were
        // kept): compute it now; those already in the index as they should be are simply noted.
        List<UUID> unknown = expected.entrySet().stream().filter(e -> e.getValue() == null).map(Map.Entry::getKey).toList();
        List<IndexableRecord> verified = new ArrayList<>();
        for (IndexableRecord record : readRecords(unknown)) {
            expected.put(record.id(), record.fingerprint());
            if (Objects.equals(actual.get(record.id()), record.fingerprint())) {
                verified.add(record);
            }
        }
        backlog.completeIndex(verified);

        List<UUID> rewrite = new ArrayList<>();
        for (Map.Entry<UUID, Long> entry : expected.entrySet()) {
            Long held = actual.get(entry.getKey());
            if (held == null) {
                tally.missing++;
                rewrite.add(entry.getKey());
            } else if (!held.equals(entry.getValue()) && entry.getValue() != null) {
                tally.changed++;
                rewrite.add(entry.getKey());
            }
        }
        List<IndexableRecord> rewritten = readRecords(rewrite);
        for (int from = 0; from < rewritten.size(); from += batchSize) {
            List<IndexableRecord> batch = rewritten.subList(from, Math.min(rewritten.size(), from + batchSize));
            index.upsert(batch.stream().map(IndexableRecord::toEntry).toList());
            backlog.completeIndex(batch);
            tally.repaired += batch.size();
        }

        Set<UUID> candidates = new HashSet<>(actual.keySet());
        candidates.removeAll(expected.keySet());
        List<UUID> unclaimed = new ArrayList<>();
        List<UUID> ofUnknownAge = new ArrayList<>();
        for (UUID id : candidates) {
            if (inFlight.contains(id)) {
                tally.inFlight++;
            } else if (inFlight.endedHere(id)) {
                unclaimed.add(id);
            } else {
                ofUnknownAge.add(id);
            }
        }
        Instant youngAfter = clock.instant().minus(grace);
        Instant settledBefore = index.writesSettledBefore().orElse(Instant.MIN);
        Map<UUID, Instant> writtenAt = writtenAt(ofUnknownAge);
        for (UUID id : ofUnknownAge) {
            Instant written = writtenAt.get(id);
            if (written != null && written.isAfter(youngAfter) && !written.isBefore(settledBefore)) {
                tally.tooYoung++;
            } else {
                unclaimed.add(id);
            }
        }
        // Asked again: a write that committed since the first read is no orphan.
        readRecords(unclaimed).forEach(committed -> unclaimed.remove(committed.id()));
        if (!unclaimed.isEmpty()) {
            index.delete(unclaimed);
            tally.orphans += unclaimed.size();
            tally.repaired += unclaimed.size();
        }
    }

    private Map<UUID, Instant> writtenAt(List<UUID> ids) {
        Map<UUID, Instant> times = new HashMap<>();
        for (int from = 0; from < ids.size(); from += batchSize) {
            times.putAll(index.writtenAt(ids.subList(from, Math.min(ids.size(), from + batchSize))));
        }
        return times;
    }

    private List<IndexableRecord> readRecords(List<UUID> ids) {
        List<IndexableRecord> records = new ArrayList<>(ids.size());
        for (int from = 0; from < ids.size(); from += batchSize) {
            records.addAll(ledger.indexable(ids.subList(from, Math.min(ids.size(), from + batchSize))));
        }
        return records;
    }
}
