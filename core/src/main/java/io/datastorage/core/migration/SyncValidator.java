package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.ingest.ContentFingerprint;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.UnreadableRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Compares the legacy store and the new store without loading either whole.
 *
 * <p>How: per kind and per window of {@code createdAt} ({@link Settings#window()}), each side's
 * records are counted and summed into an order-independent checksum over their canonical form (id,
 * kind, {@code createdAt} to the microsecond, legacy id, and the document's canonical JSON, so
 * {@code 0.5} equals {@code 0.50} and key order never matters). Only the windows whose count or
 * checksum differ are compared record by record. Every difference found there is read again from
 * both sides by id before it counts, so a record written (or removed) while the run was under way
 * is not reported. A record missing on one side is a write in flight, not a difference, when a
 * write of it to that side is queued ({@link InFlight#queued}); and, with {@link InFlight#settle()}
 * above zero, a missing record is read again once more after that long (at the end of the run), so
 * a write whose second store was still being written when the run met it is not reported either.
 *
 * <p>The legacy side is read with {@link LegacyStore#scan} (ascending {@code createdAt}); the new side
 * one window at a time: its windows found with {@link RecordStore#firstCreatedAt} (an index lookup per
 * window that holds records, no record read), each window's records read with {@link RecordStore#list}
 * ({@code since}/{@code until}) once, for both its checksum and, when it differs, the comparison.
 * Memory is bounded by the number of windows (a count and a checksum each), by one window's records,
 * and by the missing records awaiting their last reading ({@value #MAX_SETTLING} at most; beyond that
 * a missing record counts after its first re-reading).
 *
 * <p>Either side may be the primary, in any phase: a record only one side holds is reported as
 * missing on the other, whichever it is; {@link #validateAndRepair} puts it from the primary named
 * (the current phase's, {@link MigrationPhase#primary()}) and never from the other side.
 *
 * <p>Repair ({@link #validateAndRepair}) puts a record the primary side holds and the other lacks onto
 * the other side, through the sides' idempotent {@link RecordSink}s. It never deletes a record (one only
 * the secondary holds may have been removed from the primary by retention: it stays reported) and never
 * overwrites one (a record held with other content stays reported as differing).
 *
 * <p>A record the legacy side holds but cannot read (its scan names it, {@link LegacyPage#unreadable()})
 * is reported as {@code unreadable}, not as missing or differing, whatever the new side holds under its
 * id: the sides cannot be shown equal, so the report is not consistent while one is left, and no repair
 * touches it (nothing can be copied from an unreadable copy; an operator repairs or removes it in the
 * legacy store). Their ids are kept for the run (memory: one id per unreadable record).
 *
 * <p>Not thread-safe within a run; one instance may run repeatedly.
 */
public final class SyncValidator {
    private static final Logger log = LoggerFactory.getLogger(SyncValidator.class);
    /** Most missing records kept for a last reading after {@link InFlight#settle()}. */
    static final int MAX_SETTLING = 100_000;
    /** Before any record's {@code createdAt}: where the walk of the new side's windows starts. */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    /**
     * What the service knows of the writes in flight between the sides.
     *
     * @param queued whether a write of a record to a side is queued (the secondary-write queue's
     *               {@link SecondaryWriteQueue#holds}): such a record is on its way, not missing
     * @param settle how long a write may take to reach its second store once its first has it (the
     *               secondary timeout, plus a margin); {@link Duration#ZERO}: missing records count at
     *               their first re-reading
     */
    public record InFlight(Queued queued, Duration settle) {
        /** Nothing in flight: for a run while nothing writes. */
        public static final InFlight NONE = new InFlight((id, target) -> false, Duration.ZERO);

        public InFlight {
            Objects.requireNonNull(queued, "queued");
            Objects.requireNonNull(settle, "settle");
            if (settle.isNegative()) {
                throw new IllegalArgumentException("settle must not be negative, was " + settle);
            }
        }
    }

    /** Whether a write of record {@code id} to {@code target} is queued. */
    @FunctionalInterface
    public interface Queued {
        boolean holds(UUID id, MigrationSide target);
    }

    /**
     * @param window   the width of a window of {@code createdAt}; at least a microsecond
     * @param pageSize how many records one read asks for, 1..1000 (a new-side page holds at most 1000)
     * @param examples how many example ids the report keeps per category, 0..1000
     */
    public record Settings(Duration window, int pageSize, int examples) {
        public Settings {
            Objects.requireNonNull(window, "window");
            if (window.compareTo(ChronoUnit.MICROS.getDuration()) < 0) {
                throw new IllegalArgumentException("window must be at least 1 microsecond, was " + window);
            }
            if (pageSize < 1 || pageSize > AuditQuery.MAX_LIMIT) {
                throw new IllegalArgumentException("pageSize must be 1.." + AuditQuery.MAX_LIMIT + ", was " + pageSize);
            }
            if (examples < 0 || examples > 1000) {
                throw new IllegalArgumentException("examples must be 0..1000, was " + examples);
            }
        }

        /** Windows of a day, pages of 1000 records, 10 examples per category. */
        public static final Settings DEFAULT = new Settings(Duration.ofDays(1), 1000, 10);
    }

    /**
     * Told after each window: for a progress bar; and after each page read while the windows are
     * summed, before their number is known (a job under a lease renews it there). What it throws ends
     * the run.
     */
    @FunctionalInterface
    public interface Progress {
        /** Nothing. */
        Progress NONE = (checked, windowsDone, windows) -> { };

        /**
         * @param checked     records checked so far
         * @param windowsDone windows done so far
         * @param windows     windows in this run (known once both sides were summed)
         */
        void windowDone(long checked, int windowsDone, int windows);

        /** @param records records read so far while the windows are summed (both sides) */
        default void summing(long records) {
        }
    }

    private final LegacyStore legacy;
    private final RecordStore newStore;
    private final RecordSink newSink;
    private final RecordSink legacySink;
    private final Settings settings;
    private final Clock clock;
    private final InFlight inFlight;
    private final long windowMicros;

    /** A validator for stores nothing writes to while it runs ({@link InFlight#NONE}). */
    public SyncValidator(LegacyStore legacy, RecordStore newStore, RecordSink newSink, Settings settings, Clock clock) {
        this(legacy, newStore, newSink, settings, clock, InFlight.NONE);
    }

    /**
     * @param legacy   the legacy side
     * @param newStore the new side
     * @param newSink  how a repair puts a record on the new side ({@link NewSideRecords#sink})
     * @param settings window, page size and examples
     * @param clock    for the report's start and duration
     * @param inFlight the writes on their way from one side to the other, not to be reported
     */
    public SyncValidator(LegacyStore legacy, RecordStore newStore, RecordSink newSink, Settings settings, Clock clock,
                         InFlight inFlight) {
        this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
        this.legacy = Objects.requireNonNull(legacy, "legacy");
        this.newStore = Objects.requireNonNull(newStore, "newStore");
        this.newSink = Objects.requireNonNull(newSink, "newSink");
        this.legacySink = RecordSink.of(legacy);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.windowMicros = Math.max(1, settings.window().toNanos() / 1000);
    }

    /** Compares the two sides and reports, repairing nothing. */
    public SyncReport validate(Progress progress) {
        return run(null, progress);
    }

    /** Compares the two sides, puts the records {@code primary} holds and the other side lacks there, and reports. */
    public SyncReport validateAndRepair(MigrationSide primary, Progress progress) {
        return run(Objects.requireNonNull(primary, "primary"), progress);
    }

    private SyncReport run(MigrationSide primary, Progress progress) {
        Objects.requireNonNull(progress, "progress");
        Instant startedAt = clock.instant();
        Map<AuditKind, TreeMap<Long, Summary>> summaries = new LinkedHashMap<>();
        int windows = 0;
        long[] summed = {0};
        Tally tally = new Tally();
        for (AuditKind kind : AuditKind.values()) {
            TreeMap<Long, Summary> byWindow = summarize(kind, progress, summed, tally);
            summaries.put(kind, byWindow);
            windows += byWindow.size();
        }
        int done = 0;
        for (Map.Entry<AuditKind, TreeMap<Long, Summary>> entry : summaries.entrySet()) {
            AuditKind kind = entry.getKey();
            LegacyCursor cursor = new LegacyCursor(kind);
            for (Map.Entry<Long, Summary> window : entry.getValue().entrySet()) {
                Summary legacySummary = window.getValue();
                Map<UUID, LegacyRecord> newRecords = newWindow(kind, window.getKey());
                Summary newSummary = new Summary();
                newRecords.values().forEach(newSummary::add);
                if (legacySummary.equals(newSummary)) {
                    tally.checked += legacySummary.count;
                } else {
                    compareWindow(kind, window.getKey(), cursor, newRecords, primary, tally);
                }
                progress.windowDone(tally.checked, ++done, windows);
            }
        }
        settleAndCount(primary, tally, progress, done, windows);
        if (tally.unreadable > 0) {
            log.warn("{} legacy record(s) cannot be read (examples: {}): the stores cannot be shown equal until each is "
                            + "repaired or removed in the legacy store by hand{}", tally.unreadable, tally.unreadableKeys,
                    primary != null ? "; a repair copies nothing from an unreadable copy and leaves them as they are" : "");
        }
        long left = tally.missingInNew + tally.missingInLegacy + tally.differing + tally.unreadable - tally.repaired;
        return new SyncReport(tally.checked, tally.missingInNew, tally.missingInLegacy, tally.differing, tally.repaired,
                left == 0, Duration.between(startedAt, clock.instant()).toMillis(), startedAt, tally.missingInNewIds,
                tally.missingInLegacyIds, tally.differingIds, tally.unreadable, tally.unreadableKeys);
    }

    /**
     * Every window of {@code kind} that either side holds a record in, with the legacy side's summary
     * (empty where only the new side holds records): the legacy side scanned, the new side's windows
     * found by {@link RecordStore#firstCreatedAt}, one lookup per window that holds records.
     */
    private TreeMap<Long, Summary> summarize(AuditKind kind, Progress progress, long[] summed, Tally tally) {
        TreeMap<Long, Summary> byWindow = new TreeMap<>();
        Optional<LegacyPosition> after = Optional.empty();
        do {
            LegacyPage page = legacy.scan(kind, after, settings.pageSize());
            for (LegacyRecord record : page.records()) {
                byWindow.computeIfAbsent(windowOf(record.createdAt()), w -> new Summary()).add(record);
            }
            for (LegacyPage.Unreadable unreadable : page.unreadable()) {
                tally.unreadable++;
                unreadable.id().ifPresent(tally.unreadableIds::add);
                Tally.example(tally.unreadableKeys, unreadable.name(), settings.examples());
            }
            summed[0] += page.records().size();
            progress.summing(summed[0]);
            after = page.next();
        } while (after.isPresent());
        Optional<Instant> next = newStore.firstCreatedAt(kind, EARLIEST);
        while (next.isPresent()) {
            long window = windowOf(next.get());
            byWindow.computeIfAbsent(window, w -> new Summary());
            next = newStore.firstCreatedAt(kind, windowStart(window + 1));
        }
        return byWindow;
    }

    /** The new side's records of {@code kind} in {@code window}, by id. */
    private Map<UUID, LegacyRecord> newWindow(AuditKind kind, long window) {
        Map<UUID, LegacyRecord> newRecords = new LinkedHashMap<>();
        AuditQuery query = AuditQuery.builder().kind(kind).since(windowStart(window)).until(windowStart(window + 1))
                .limit(settings.pageSize()).build();
        AuditPosition position = null;
        do {
            AuditPage page = newStore.list(query.after(position));
            for (AuditRecord item : page.items()) {
                newRecords.put(item.id(), MigrationRecords.toLegacy(item));
            }
            position = page.next();
        } while (position != null);
        return newRecords;
    }

    private void compareWindow(AuditKind kind, long window, LegacyCursor cursor, Map<UUID, LegacyRecord> newRecords,
                               MigrationSide primary, Tally tally) {
        Map<UUID, LegacyRecord> legacyRecords = cursor.window(window);
        Set<UUID> ids = new TreeSet<>(legacyRecords.keySet());
        ids.addAll(newRecords.keySet());
        tally.checked += ids.size();
        for (UUID id : ids) {
            if (tally.unreadableIds.contains(id)) {
                continue; // counted as unreadable already: the legacy side holds it, unreadable
            }
            LegacyRecord inLegacy = legacyRecords.get(id);
            LegacyRecord inNew = newRecords.get(id);
            if (inLegacy != null && inNew != null && inLegacy.sameContentAs(inNew)) {
                continue;
            }
            recheck(kind, id, primary, tally, settlingAllowed(tally));
        }
    }

    private boolean settlingAllowed(Tally tally) {
        return !inFlight.settle().isZero() && tally.settling.size() < MAX_SETTLING;
    }

    /**
     * Waits until the last missing record met has had {@link InFlight#settle()} to reach its other
     * side, then reads each again: what is still missing (and not queued) counts, and is repaired.
     */
    private void settleAndCount(MigrationSide primary, Tally tally, Progress progress, int done, int windows) {
        if (tally.settling.isEmpty()) {
            return;
        }
        Duration waited = Duration.between(tally.lastSettlingAt, clock.instant());
        Duration left = inFlight.settle().minus(waited);
        if (left.isPositive()) {
            try {
                Thread.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while records in flight settled", e);
            }
        }
        int read = 0;
        for (Settling missing : tally.settling) {
            recheck(missing.kind(), missing.id(), primary, tally, false);
            if (++read % settings.pageSize() == 0) {
                progress.windowDone(tally.checked, done, windows); // no new window: a point to stop or renew a lease
            }
        }
        tally.settling.clear();
    }

    /**
     * Reads both sides again by id: only what still differs counts. A record missing on a side a write
     * of it is queued for is on its way, not counted; with {@code settle}, a missing one is kept for a
     * last reading at the end of the run instead of counted now.
     */
    private void recheck(AuditKind kind, UUID id, MigrationSide primary, Tally tally, boolean settle) {
        Optional<LegacyRecord> inLegacy;
        Optional<LegacyRecord> inNew;
        try {
            inLegacy = legacy.find(kind, id);
            inNew = newStore.find(kind, id).map(MigrationRecords::toLegacy);
        } catch (UnreadableRecordException unreadable) {
            // a side holds the record but cannot read it (a scan leaves such a record out): the sides
            // cannot be shown equal, and nothing can be repaired from an unreadable copy
            log.warn("record {} of kind {} is unreadable on one side; reported as differing", id, kind, unreadable);
            tally.differing++;
            Tally.example(tally.differingIds, id, settings.examples());
            return;
        }
        if (inLegacy.isPresent() && inNew.isPresent()) {
            if (!inLegacy.get().sameContentAs(inNew.get())) {
                tally.differing++;
                Tally.example(tally.differingIds, id, settings.examples());
            }
        } else if (inLegacy.isPresent() || inNew.isPresent()) {
            MigrationSide lacking = inLegacy.isPresent() ? MigrationSide.NEW : MigrationSide.LEGACY;
            if (inFlight.queued().holds(id, lacking)) {
                return; // queued for the side that lacks it: on its way
            }
            if (settle) {
                tally.settling.add(new Settling(kind, id));
                tally.lastSettlingAt = clock.instant();
                return;
            }
            missing(id, inLegacy, inNew, primary, tally);
        }
        // absent from both by now: removed while the run was under way, nothing to report
    }

    /** Counts a record one side holds and the other lacks, and repairs it from the primary. */
    private void missing(UUID id, Optional<LegacyRecord> inLegacy, Optional<LegacyRecord> inNew, MigrationSide primary,
                         Tally tally) {
        if (inLegacy.isPresent()) {
            tally.missingInNew++;
            Tally.example(tally.missingInNewIds, id, settings.examples());
            if (primary == MigrationSide.LEGACY && repair(newSink, inLegacy.get())) {
                tally.repaired++;
            }
        } else if (inNew.isPresent()) {
            tally.missingInLegacy++;
            Tally.example(tally.missingInLegacyIds, id, settings.examples());
            if (primary == MigrationSide.NEW && repair(legacySink, inNew.get())) {
                tally.repaired++;
            }
        }
    }

    /** A missing record kept for its last reading. */
    private record Settling(AuditKind kind, UUID id) {
    }

    /**
     * Puts {@code record} through the idempotent sink. A refusal (the side holds the id with other
     * content by now, or the record is not valid there) leaves the record reported, unrepaired; a
     * transient failure ends the run.
     */
    private static boolean repair(RecordSink sink, LegacyRecord record) {
        try {
            sink.put(record);
            return true;
        } catch (PermanentException refused) {
            return false;
        }
    }

    private long windowOf(Instant createdAt) {
        long micros = Math.addExact(Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L), createdAt.getNano() / 1000);
        return Math.floorDiv(micros, windowMicros);
    }

    private Instant windowStart(long window) {
        long micros = Math.multiplyExact(window, windowMicros);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }

    /** The legacy side's scan of one kind, read once in ascending order, window after window. */
    private final class LegacyCursor {
        private final AuditKind kind;
        private List<LegacyRecord> page = List.of();
        private int index;
        private Optional<LegacyPosition> next = Optional.empty();
        private boolean started;

        LegacyCursor(AuditKind kind) {
            this.kind = kind;
        }

        /** The records of {@code window}; windows are asked for in ascending order. */
        Map<UUID, LegacyRecord> window(long window) {
            Map<UUID, LegacyRecord> records = new LinkedHashMap<>();
            for (LegacyRecord record = peek(); record != null; record = peek()) {
                long at = windowOf(record.createdAt());
                if (at > window) {
                    break;
                }
                index++;
                if (at == window) {
                    records.put(record.id(), record);
                }
            }
            return records;
        }

        private LegacyRecord peek() {
            while (index >= page.size()) {
                if (started && next.isEmpty()) {
                    return null;
                }
                LegacyPage read = legacy.scan(kind, next, settings.pageSize());
                started = true;
                page = read.records();
                index = 0;
                next = read.next();
                if (page.isEmpty() && next.isEmpty()) {
                    return null;
                }
            }
            return page.get(index);
        }
    }

    /** A window's count and order-independent checksum (the sum of each record's 64-bit digest). */
    private static final class Summary {
        long count;
        long checksum;

        void add(LegacyRecord record) {
            count++;
            checksum += digest(record);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Summary that && count == that.count && checksum == that.checksum;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(count * 31 + checksum);
        }
    }

    /**
     * The first 64 bits of the SHA-256 of the record's canonical form. Summed, not XORed, so two
     * copies of one record do not cancel out.
     */
    static long digest(LegacyRecord record) {
        String canonical = record.id() + "\n" + record.kind().name() + "\n" + record.createdAt() + "\n"
                + Objects.requireNonNullElse(record.legacyId(), "") + "\n" + ContentFingerprint.canonical(record.document());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash).getLong();
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java platform has SHA-256", impossible);
        }
    }

    private static final class Tally {
        long checked;
        long missingInNew;
        long missingInLegacy;
        long differing;
        long repaired;
        final List<UUID> missingInNewIds = new ArrayList<>();
        final List<UUID> missingInLegacyIds = new ArrayList<>();
        final List<UUID> differingIds = new ArrayList<>();
        long unreadable;
        final List<String> unreadableKeys = new ArrayList<>();
        /** The ids of the unreadable legacy records met, so that none also counts as missing or differing. */
        final Set<UUID> unreadableIds = new java.util.HashSet<>();
        final List<Settling> settling = new ArrayList<>();
        Instant lastSettlingAt;

        static <T> void example(List<T> ids, T id, int limit) {
            if (ids.size() < limit) {
                ids.add(id);
            }
        }
    }
}
