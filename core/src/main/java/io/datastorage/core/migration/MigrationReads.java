package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.RecordStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;

/**
 * Reads during a migration (the design's "Reads"): a GET by id and a listing come from the primary
 * of the current phase; in a dual-write phase a share of them ({@link MigrationSettings#shadowReadRatio()})
 * is also read from the secondary, off the request path, and compared (documents in canonical JSON,
 * kind, legacy id): {@link ShadowReadOutcome}, told to the listener and logged with ids only. The
 * shadow reads run on a bounded executor; one it rejects (full) is dropped and counted nowhere.
 */
public final class MigrationReads {
    private static final Logger log = LoggerFactory.getLogger(MigrationReads.class);

    /**
     * Both sides' copies of one record, for the admin endpoint.
     *
     * @param agree       both sides hold the record, with the same content
     * @param differences the fields in which the two copies differ ({@code kind}, {@code legacyId},
     *                    document fields); empty when a side lacks the record
     * @param newRecordedBy who wrote the new side's copy ({@link AuditRecord#recordedBy()}); {@code null}
     *                    when the new side lacks it (the legacy side records no writer, and the
     *                    comparison leaves the writer out)
     */
    public record RecordComparison(UUID id, AuditKind kind, Optional<LegacyRecord> legacy,
                                   Optional<LegacyRecord> newSide, boolean agree, List<String> differences,
                                   String newRecordedBy) {
        public RecordComparison {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(legacy, "legacy");
            Objects.requireNonNull(newSide, "newSide");
            differences = List.copyOf(differences);
        }

        /** A comparison that does not know the new side's writer. */
        public RecordComparison(UUID id, AuditKind kind, Optional<LegacyRecord> legacy,
                                Optional<LegacyRecord> newSide, boolean agree, List<String> differences) {
            this(id, kind, legacy, newSide, agree, differences, null);
        }
    }

    private final PhaseWatcher phases;
    private final RecordStore newStore;
    private final LegacyStore legacy;
    private final MigrationSettings settings;
    private final MigrationListener listener;
    private final Executor shadowExecutor;
    private final BooleanSupplier owedToNew;
    private final BooleanSupplier historyCopied;
    private final BiPredicate<UUID, MigrationSide> queued;

    /**
     * Reads that cannot see the queue nor the backfill: {@link #newSideComplete()} then goes by the
     * phase alone, as if no write were owed to the new side and the history were copied. Prefer the
     * constructor that takes {@code owedToNew} and {@code historyCopied}.
     */
    public MigrationReads(PhaseWatcher phases, RecordStore newStore, LegacyStore legacy, MigrationSettings settings,
                          MigrationListener listener, Executor shadowExecutor) {
        this(phases, newStore, legacy, settings, listener, shadowExecutor, () -> false, () -> true, (id, side) -> false);
    }

    /**
     * @param shadowExecutor runs the shadow reads: bounded (a full one rejects, and the read is dropped)
     * @param owedToNew      whether any secondary write queued targets {@link MigrationSide#NEW}
     *                       (asked by {@link #newSideComplete()}; {@code true} when it cannot be told)
     * @param historyCopied  whether the new side holds the legacy store's history: a complete
     *                       {@code legacy-to-new} backfill started at or after the version that began
     *                       the current run of dual writing ({@link PromotionGates#historyCopied};
     *                       asked by {@link #newSideComplete()}; {@code false} when it cannot be told)
     * @param queued         whether a write of a record to a side is queued
     *                       ({@link SecondaryWriteQueue#holds}): a shadow read that does not find the
     *                       record there reports it {@link ShadowReadOutcome#PENDING}, not missing
     */
    public MigrationReads(PhaseWatcher phases, RecordStore newStore, LegacyStore legacy, MigrationSettings settings,
                          MigrationListener listener, Executor shadowExecutor, BooleanSupplier owedToNew,
                          BooleanSupplier historyCopied, BiPredicate<UUID, MigrationSide> queued) {
        this.phases = Objects.requireNonNull(phases, "phases");
        this.newStore = Objects.requireNonNull(newStore, "newStore");
        this.legacy = Objects.requireNonNull(legacy, "legacy");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = MigrationListener.guarded(Objects.requireNonNull(listener, "listener"));
        this.shadowExecutor = Objects.requireNonNull(shadowExecutor, "shadowExecutor");
        this.owedToNew = Objects.requireNonNull(owedToNew, "owedToNew");
        this.historyCopied = Objects.requireNonNull(historyCopied, "historyCopied");
        this.queued = Objects.requireNonNull(queued, "queued");
    }

    /**
     * The record from the primary of the current phase; shadow-read when sampled. A record the
     * primary lacks while its write to the primary is queued was acknowledged under an earlier
     * phase, whose primary was the other side (its copy here failed or timed out, or is async): it
     * is read from the other side, so every acknowledged write stays readable across a phase change
     * (read-your-writes). The queue is asked only on such a miss.
     */
    public Optional<AuditRecord> find(AuditKind kind, UUID id) {
        PhaseState state = phases.current();
        MigrationSide primary = state.phase().readsFrom();
        Optional<AuditRecord> found = find(primary, kind, id);
        if (found.isEmpty() && queued.test(id, primary)) {
            MigrationSide other = primary == MigrationSide.NEW ? MigrationSide.LEGACY : MigrationSide.NEW;
            return find(other, kind, id);
        }
        found.ifPresent(record -> maybeShadow(state, record));
        return found;
    }

    private Optional<AuditRecord> find(MigrationSide side, AuditKind kind, UUID id) {
        return side == MigrationSide.NEW ? newStore.find(kind, id)
                : legacy.find(kind, id).map(LegacyListing::toAuditRecord);
    }

    /** A page from the primary of the current phase; each item shadow-read when sampled. */
    public AuditPage list(AuditQuery query) {
        PhaseState state = phases.current();
        AuditPage page = state.phase().readsFrom() == MigrationSide.NEW ? newStore.list(query)
                : LegacyListing.list(legacy, query);
        page.items().forEach(record -> maybeShadow(state, record));
        return page;
    }

    /**
     * Both sides' copies of a record, read now (for the admin endpoint).
     *
     * @throws RuntimeException a side's failure to answer
     */
    public RecordComparison compare(AuditKind kind, UUID id) {
        Optional<LegacyRecord> onLegacy = legacy.find(kind, id);
        Optional<AuditRecord> newRecord = newStore.find(kind, id);
        Optional<LegacyRecord> onNew = newRecord.map(MigrationRecords::toLegacy);
        List<String> differences = onLegacy.isPresent() && onNew.isPresent()
                ? MigrationRecords.differences(onLegacy.get(), onNew.get()) : List.of();
        boolean agree = onLegacy.isPresent() && onNew.isPresent() && differences.isEmpty();
        return new RecordComparison(id, kind, onLegacy, onNew, agree, differences,
                newRecord.map(AuditRecord::recordedBy).orElse(null));
    }

    /**
     * Whether search (always on the new side) sees every record: the phase is
     * {@link MigrationPhase#DUAL_WRITE_NEW_PRIMARY} or {@link MigrationPhase#NEW_ONLY}, no queued
     * write targets the new side, and the new side holds the legacy store's history (a complete
     * {@code legacy-to-new} backfill since the current run of dual writing began). A phase stored
     * as {@code DUAL_WRITE_NEW_PRIMARY} or {@code NEW_ONLY} at the first start has no move that
     * began dual writing and counts from the initialisation: nothing proves the legacy store held
     * nothing, so it is complete only once such a backfill completed (on an empty legacy store, at
     * once). The queue and the backfill are asked only in those two phases, in that order.
     */
    public boolean newSideComplete() {
        MigrationPhase phase = phases.current().phase();
        return (phase == MigrationPhase.DUAL_WRITE_NEW_PRIMARY || phase == MigrationPhase.NEW_ONLY)
                && !owedToNew.getAsBoolean() && historyCopied.getAsBoolean();
    }

    private void maybeShadow(PhaseState state, AuditRecord primary) {
        Optional<MigrationSide> secondary = state.phase().secondary();
        if (secondary.isEmpty() || settings.shadowReadRatio() <= 0
                || ThreadLocalRandom.current().nextDouble() >= settings.shadowReadRatio()) {
            return;
        }
        try {
            shadowExecutor.execute(() -> shadow(secondary.get(), primary));
        } catch (RejectedExecutionException e) {
            // Full: shadow reads are a sample, never a queue that grows under load.
        }
    }

    private void shadow(MigrationSide side, AuditRecord primary) {
        ShadowReadOutcome outcome;
        List<String> differences = List.of();
        try {
            Optional<LegacyRecord> copy = side == MigrationSide.NEW
                    ? newStore.find(primary.kind(), primary.id()).map(MigrationRecords::toLegacy)
                    : legacy.find(primary.kind(), primary.id());
            if (copy.isEmpty()) {
                outcome = queued.test(primary.id(), side) ? ShadowReadOutcome.PENDING : ShadowReadOutcome.MISSING;
            } else {
                differences = MigrationRecords.differences(MigrationRecords.toLegacy(primary), copy.get());
                outcome = differences.isEmpty() ? ShadowReadOutcome.MATCH : ShadowReadOutcome.DIFFERS;
            }
        } catch (RuntimeException e) {
            outcome = ShadowReadOutcome.ERROR;
            log.warn("Shadow read of {} record {} on the {} side failed: {}", primary.kind().pathName(), primary.id(),
                    side, e.getClass().getSimpleName());
        }
        if (outcome == ShadowReadOutcome.MISSING || outcome == ShadowReadOutcome.DIFFERS) {
            log.info("Shadow read of {} record {}: {} on the {} side{}", primary.kind().pathName(), primary.id(),
                    outcome.value(), side, differences.isEmpty() ? "" : " (fields " + differences + ")");
        }
        listener.shadowRead(outcome);
    }

}
