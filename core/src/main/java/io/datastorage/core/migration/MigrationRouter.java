package io.datastorage.core.migration;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.ingest.RecordWriter;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.MigrationTerms;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.Route;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Routes a write to the stores of the migration phase it runs under (the design's "Write
 * routing"). A write reads {@link PhaseWatcher#current()} once and runs entirely under that
 * {@link PhaseState}; its answer names it ({@link WriteResult#route()}).
 *
 * <ul>
 *   <li>{@link MigrationPhase#NEW_ONLY}: the dual-write coordinator, as without a migration, but
 *       fenced to the version ({@link MigrationTerms} with nothing to queue), so that a move back to
 *       a dual phase waits for it.</li>
 *   <li>{@link MigrationPhase#DUAL_WRITE_NEW_PRIMARY}: the coordinator writes PostgreSQL under
 *       {@link MigrationTerms} (fenced to the version; a LEGACY-target queue entry per record in the
 *       same transaction), then the secondary as below.</li>
 *   <li>{@link MigrationPhase#LEGACY_ONLY}, {@link MigrationPhase#DUAL_WRITE_LEGACY_PRIMARY}: the
 *       router chooses the ids (UUIDv7; with an idempotency token, name-based over the key, the
 *       fingerprint and the record's index, so a retry after a crash re-puts the same ids, which
 *       the legacy store answers unchanged), and the legacy puts run one by one inside
 *       {@link PhaseFence#underPhase} (which queues a NEW-target entry per record in a dual phase).
 *       A failure part way removes the records put (best effort), except when the fence's commit
 *       outcome is unknown: then they stay, as the key may hold them.</li>
 * </ul>
 * In a dual phase the secondary is written after the primary: in {@link SecondaryMode#ASYNC} mode
 * by the queue job only; in {@link SecondaryMode#SYNC} mode now, each call bounded by
 * {@link MigrationSettings#secondaryTimeout()} (a call that times out failed, its outcome unknown),
 * its queue entries discarded once it landed. When it fails, policy {@link SecondaryPolicy#QUEUE}
 * leaves the entries to the job and answers success; policy {@link SecondaryPolicy#FAIL} undoes
 * the primary (and removes what may have landed on the secondary, best effort) and throws
 * {@link StoreUnavailableException} of the failed side ("nothing was stored"), or, when the undo
 * itself fails, {@link CommitOutcomeUnknownException}: the entries stay, the job makes the stores
 * converge on both, and a retry with the same key tells the outcome.
 *
 * <p>A {@link PhaseChangedException} (the phase moved before the primary committed; nothing was
 * stored) refreshes the watcher and runs the write once more under the new state; a second one is
 * thrown. The receipts come from the new side when it was written (embedded, vectorIndexed), else
 * say {@code embedded=false, vectorIndexed=false}. The {@link MigrationListener} is guarded.
 */
public final class MigrationRouter implements RecordWriter {
    private static final Logger log = LoggerFactory.getLogger(MigrationRouter.class);
    /**
     * The namespace of the name-based ids the router chooses for a request with an idempotency key.
     * Fixed for good: a retry after an upgrade must choose the same ids.
     */
    static final UUID REQUEST_IDS = UUID.fromString("0c4e7a52-93d1-5b7e-a3f0-5e2b8d61c9a4");
    private static final TimeBasedEpochGenerator TIME_ORDERED = Generators.timeBasedEpochGenerator();

    private final PhaseWatcher phases;
    private final DualWriteCoordinator coordinator;
    private final RecordStore newStore;
    private final LegacyStore legacy;
    private final PhaseFence fence;
    private final SecondaryWriteQueue queue;
    private final MigrationSettings settings;
    private final MigrationListener listener;
    /** Runs each bounded call, so that a caller can stop waiting for it. Virtual threads: nothing to close. */
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("migration-call-", 0).factory());

    public MigrationRouter(PhaseWatcher phases, DualWriteCoordinator coordinator, RecordStore newStore,
                           LegacyStore legacy, PhaseFence fence, SecondaryWriteQueue queue, MigrationSettings settings,
                           MigrationListener listener) {
        this.phases = Objects.requireNonNull(phases, "phases");
        this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
        this.newStore = Objects.requireNonNull(newStore, "newStore");
        this.legacy = Objects.requireNonNull(legacy, "legacy");
        this.fence = Objects.requireNonNull(fence, "fence");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = MigrationListener.guarded(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * @throws IllegalArgumentException no records
     * @throws PhaseChangedException    the phase moved twice while the write ran (nothing stored)
     * @throws StoreUnavailableException the primary failed, or the secondary under policy
     *                                  {@code fail} (nothing stored)
     * @throws CommitOutcomeUnknownException the write may be stored: retry with the same key
     */
    @Override
    public WriteResult write(List<NewRecord> records, IdempotencyToken token, Deadline deadline) {
        if (records == null || records.isEmpty() || records.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("nothing to write, or a record is missing");
        }
        PhaseState state = phases.current();
        try {
            return writeUnder(state, records, token, deadline);
        } catch (PhaseChangedException e) {
            PhaseState next = phases.refresh();
            log.debug("The migration phase moved while a write ran under version {}; running it again under {} "
                    + "(version {})", state.version(), next.phase(), next.version());
            return writeUnder(next, records, token, deadline);
        }
    }

    private WriteResult writeUnder(PhaseState state, List<NewRecord> records, IdempotencyToken token,
                                   Deadline deadline) {
        Route route = new Route(state.phase().name(), state.version());
        WriteResult result = switch (state.phase()) {
            case NEW_ONLY -> newOnly(state, records, token, deadline);
            case DUAL_WRITE_NEW_PRIMARY -> newPrimary(state, records, token, deadline);
            case LEGACY_ONLY, DUAL_WRITE_LEGACY_PRIMARY -> legacyPrimary(state, records, token, deadline);
        };
        return result.withRoute(route);
    }

    private WriteResult newOnly(PhaseState state, List<NewRecord> records, IdempotencyToken token,
                                Deadline deadline) {
        WriteResult result;
        try {
            // Fenced too, with nothing to queue: a move back to DUAL_WRITE_NEW_PRIMARY must not let a
            // write begun under NEW_ONLY commit after it, on the new side only.
            result = coordinator.write(records, token, deadline, new MigrationTerms(state.version(), false));
        } catch (RuntimeException e) {
            failed(MigrationSide.NEW, e);
            throw e;
        }
        if (!result.replayed()) {
            listener.written(MigrationSide.NEW, WriteOutcome.OK);
        }
        return result;
    }

    private WriteResult newPrimary(PhaseState state, List<NewRecord> records, IdempotencyToken token,
                                   Deadline deadline) {
        WriteResult primary;
        try {
            primary = coordinator.write(records, token, deadline,
                    new MigrationTerms(state.version(), true, queueDueIn(records.size())));
        } catch (RuntimeException e) {
            failed(MigrationSide.NEW, e);
            throw e;
        }
        if (primary.replayed()) {
            return primary;
        }
        listener.written(MigrationSide.NEW, WriteOutcome.OK);
        if (settings.mode() == SecondaryMode.ASYNC) {
            listener.written(MigrationSide.LEGACY, WriteOutcome.QUEUED);
            return primary;
        }
        List<LegacyRecord> copies = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Receipt receipt = primary.receipts().get(i);
            AuditDraft draft = records.get(i).draft();
            copies.add(new LegacyRecord(receipt.id(), draft.kind(), draft.createdAt(), draft.document(),
                    records.get(i).legacyId()));
        }
        List<LegacyRecord> mayHaveLanded = new ArrayList<>();
        List<LegacyRecord> landed = new ArrayList<>();
        try {
            putAll(copies, records, mayHaveLanded, landed, deadline);
        } catch (RuntimeException e) {
            if (settings.secondary() == SecondaryPolicy.QUEUE) {
                log.warn("The legacy store failed as the secondary ({}); {} record(s) stay queued for it",
                        e.getMessage(), copies.size());
                listener.written(MigrationSide.LEGACY, WriteOutcome.QUEUED);
                return primary;
            }
            listener.written(MigrationSide.LEGACY, WriteOutcome.FAILED);
            try {
                coordinator.undo(primary.receipts(), token);
            } catch (RuntimeException undoFailed) {
                log.error("The legacy store failed as the secondary ({}) and undoing the PostgreSQL write failed too; "
                        + "its {} record(s) stay queued for the legacy store", e.getMessage(), copies.size(), undoFailed);
                throw new CommitOutcomeUnknownException(Component.LEGACY_STORE, "the legacy store failed as the "
                        + "secondary and the write could not be undone; it may be stored: retry with the same "
                        + "Idempotency-Key", e);
            }
            listener.written(MigrationSide.NEW, WriteOutcome.UNDONE);
            if (removeQuietly(mayHaveLanded).stream().anyMatch(landed::contains)) {
                throw new CommitOutcomeUnknownException(Component.LEGACY_STORE, "the legacy store failed as the "
                        + "secondary; the write was undone in PostgreSQL, but a copy remains in the legacy store", e);
            }
            throw secondaryFailed(MigrationSide.LEGACY, e);
        }
        discardQuietly(copies, MigrationSide.LEGACY, state);
        listener.written(MigrationSide.LEGACY, WriteOutcome.OK);
        return primary;
    }

    private WriteResult legacyPrimary(PhaseState state, List<NewRecord> records, IdempotencyToken token,
                                      Deadline deadline) {
        boolean dual = state.phase().isDualWrite();
        deadline.check("writing");
        List<NewRecord> withIds = chooseIds(records, token);
        List<LegacyRecord> copies = withIds.stream().map(MigrationRecords::toLegacy).toList();
        List<LegacyRecord> attempted = new CopyOnWriteArrayList<>();
        List<LegacyRecord> landed = new CopyOnWriteArrayList<>();
        WriteResult primary;
        try {
            primary = fence.underPhase(state, token, dual, queueDueIn(records.size()), () -> {
                putAll(copies, records, attempted, landed, deadline);
                deadline.check("committing");
                return withIds.stream().map(MigrationRouter::legacyReceipt).toList();
            });
        } catch (CommitOutcomeUnknownException e) {
            // The fence's commit may have landed, keeping the key with these receipts: the records stay.
            failed(MigrationSide.LEGACY, e);
            throw e;
        } catch (RuntimeException e) {
            failed(MigrationSide.LEGACY, e);
            // A put that failed with its outcome unknown is removed too, best effort: the documented gap
            // (the sync validator finds what is left). A copy stored for sure that cannot be removed makes the answer unknown.
            if (removeQuietly(attempted).stream().anyMatch(landed::contains)) {
                throw new CommitOutcomeUnknownException(Component.LEGACY_STORE, "the write failed (" + e.getMessage()
                        + ") and a copy remains in the legacy store: retry with the same Idempotency-Key", e);
            }
            throw e;
        }
        if (primary.replayed()) {
            return dual ? asOnTheNewSide(primary) : primary;
        }
        listener.written(MigrationSide.LEGACY, WriteOutcome.OK);
        if (!dual) {
            return primary;
        }
        if (settings.mode() == SecondaryMode.ASYNC) {
            listener.written(MigrationSide.NEW, WriteOutcome.QUEUED);
            return primary;
        }
        WriteResult secondary;
        try {
            secondary = bounded(MigrationSide.NEW, () -> coordinator.write(withIds, null, deadline));
        } catch (RuntimeException e) {
            if (settings.secondary() == SecondaryPolicy.QUEUE) {
                log.warn("PostgreSQL failed as the secondary ({}); {} record(s) stay queued for it", e.getMessage(),
                        copies.size());
                listener.written(MigrationSide.NEW, WriteOutcome.QUEUED);
                return primary;
            }
            listener.written(MigrationSide.NEW, WriteOutcome.FAILED);
            try {
                // The key and the queue entries first, in one transaction: once the key is gone no retry
                // replays a success, and a copy left in the legacy store below is an unacknowledged one,
                // which a retry with the same key puts again under the same id.
                fence.undo(primary.receipts(), token);
            } catch (RuntimeException undoFailed) {
                log.error("PostgreSQL failed as the secondary ({}) and undoing the legacy write failed too; "
                        + "its {} record(s) stay queued for PostgreSQL", e.getMessage(), copies.size(), undoFailed);
                throw new CommitOutcomeUnknownException(Component.LEGACY_STORE, "PostgreSQL failed as the secondary "
                        + "and the write could not be undone; it may be stored: retry with the same Idempotency-Key", e);
            }
            try {
                coordinator.undo(primary.receipts(), null); // whatever of the failed write landed after all
            } catch (RuntimeException undoFailed) {
                log.warn("Could not undo what may have landed in PostgreSQL of a failed secondary write ({})",
                        undoFailed.getMessage());
            }
            listener.written(MigrationSide.LEGACY, WriteOutcome.UNDONE);
            if (!removeQuietly(attempted).isEmpty()) { // every one of them was stored: the fence committed
                throw new CommitOutcomeUnknownException(Component.LEGACY_STORE, "PostgreSQL failed as the secondary; "
                        + "the write was undone, but a copy remains in the legacy store: retry with the same "
                        + "Idempotency-Key", e);
            }
            throw secondaryFailed(MigrationSide.NEW, e);
        }
        discardQuietly(copies, MigrationSide.NEW, state);
        listener.written(MigrationSide.NEW, WriteOutcome.OK);
        return new WriteResult(secondary.receipts(), false);
    }

    /**
     * When the entries of a write's secondary become due for the queue's job: at once in async mode
     * (the job is the secondary write); in sync mode only after the router's own secondary calls
     * have had their time ({@code secondaryTimeout} each, plus a second), so the job never writes a
     * record the router is still writing or is about to undo (policy {@code fail}).
     */
    private Duration queueDueIn(int records) {
        if (settings.mode() == SecondaryMode.ASYNC) {
            return Duration.ZERO;
        }
        Duration bound = settings.secondaryTimeout().multipliedBy(records).plusSeconds(1);
        return bound.compareTo(SecondaryWriteQueue.MAX_DELAY) > 0 ? SecondaryWriteQueue.MAX_DELAY : bound;
    }

    /**
     * The records with their ids chosen: a given id stays; otherwise UUIDv7, or with a token the
     * name-based UUID of its key, its fingerprint and the record's index.
     */
    static List<NewRecord> chooseIds(List<NewRecord> records, IdempotencyToken token) {
        List<NewRecord> chosen = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            NewRecord record = records.get(i);
            if (record.id() != null) {
                chosen.add(record);
                continue;
            }
            UUID id = token == null ? TIME_ORDERED.generate()
                    : LegacyIds.nameBased(REQUEST_IDS, token.key() + '\n' + token.fingerprint() + '\n' + i);
            chosen.add(record.withId(id, null));
        }
        return chosen;
    }

    private static Receipt legacyReceipt(NewRecord record) {
        AuditDraft draft = record.draft();
        return new Receipt(record.id(), draft.kind(), draft.correlationId(), draft.createdAtText(), false, false);
    }

    /**
     * A replay's receipts with {@code embedded} and {@code vectorIndexed} as the new side holds the
     * records now (the fence keeps the legacy receipts, while the first answer may have come from the
     * new side); as they are where the new side does not hold a record or cannot be read.
     */
    private WriteResult asOnTheNewSide(WriteResult replay) {
        List<Receipt> receipts = new ArrayList<>();
        for (Receipt receipt : replay.receipts()) {
            Optional<AuditRecord> stored;
            try {
                stored = newStore.find(receipt.kind(), receipt.id());
            } catch (RuntimeException e) {
                stored = Optional.empty();
            }
            receipts.add(stored.map(record -> new Receipt(receipt.id(), receipt.kind(), receipt.correlationId(),
                    receipt.createdAt(), record.embedded(), record.vectorIndexed())).orElse(receipt));
        }
        return new WriteResult(receipts, true);
    }

    /**
     * Puts the copies on the legacy store one by one, each call bounded, and adds to
     * {@code mayHaveLanded} each one this write may have stored: created, or whose put failed with
     * its outcome unknown, or (for an id the router chose: only a retry of this same request holds
     * it) found unchanged. Never one refused as a conflict, nor one with a given id found there
     * already: those are another write's, which an undo must not remove.
     *
     * @param records the records as given, in the order of {@code copies} (a null id: chosen here)
     * @param landed  gets those of {@code mayHaveLanded} that are stored for sure (not the one whose
     *                put failed with its outcome unknown)
     */
    private void putAll(List<LegacyRecord> copies, List<NewRecord> records, List<LegacyRecord> mayHaveLanded,
                        List<LegacyRecord> landed, Deadline deadline) {
        for (int i = 0; i < copies.size(); i++) {
            // before each put: a batch against a slow store must not hold its connection (and the
            // fence's shared lock, which a phase change waits for) long past the request's deadline
            deadline.check("writing to the legacy store");
            LegacyRecord copy = copies.get(i);
            LegacyStore.PutOutcome outcome;
            try {
                outcome = bounded(MigrationSide.LEGACY, () -> legacy.put(copy));
            } catch (LegacyRecordConflictException e) {
                throw e;
            } catch (RuntimeException e) {
                mayHaveLanded.add(copy);
                throw e;
            }
            if (outcome == LegacyStore.PutOutcome.CREATED || records.get(i).id() == null) {
                mayHaveLanded.add(copy);
                landed.add(copy);
            }
        }
    }

    /**
     * Removes records that may have been put on the legacy store; what fails is logged.
     *
     * @return those that could not be removed
     */
    private List<LegacyRecord> removeQuietly(List<LegacyRecord> records) {
        List<LegacyRecord> kept = new ArrayList<>();
        for (LegacyRecord record : records) {
            try {
                bounded(MigrationSide.LEGACY, () -> legacy.remove(record.kind(), record.id()));
            } catch (RuntimeException e) {
                kept.add(record);
                log.warn("Could not remove record {} from the legacy store after its write failed ({}); "
                        + "the sync validator reports it", record.id(), e.getMessage());
            }
        }
        return kept;
    }

    /**
     * The answer of a write undone because its secondary failed under policy {@code fail}: a
     * permanent failure (a conflict, a refusal) as it is, since a retry cannot help; otherwise the
     * secondary's unavailability, saying nothing was stored.
     */
    private static RuntimeException secondaryFailed(MigrationSide side, RuntimeException failure) {
        if (failure instanceof PermanentException) {
            return failure;
        }
        String state = "failed as the secondary (" + failure.getMessage() + "); the write was undone, nothing was stored";
        return side == MigrationSide.LEGACY ? new StoreUnavailableException(Component.LEGACY_STORE, state, failure)
                : new StoreUnavailableException(state, failure);
    }

    /** Discards the queue entries of a secondary write that landed; if that fails, the job puts them again (idempotent). */
    private void discardQuietly(List<LegacyRecord> records, MigrationSide target, PhaseState state) {
        try {
            queue.discard(records.stream()
                    .map(record -> new SecondaryWrite(record.id(), record.kind(), target, state.version())).toList());
        } catch (RuntimeException e) {
            log.warn("Could not discard {} queued secondary write(s) that landed ({}); the job writes them again",
                    records.size(), e.getMessage());
        }
    }

    /** Counts a failed primary write, unless it is the client's (a conflict) or a retry (phase changed). */
    private void failed(MigrationSide side, RuntimeException e) {
        if (!(e instanceof PhaseChangedException || e instanceof IdempotencyConflictException
                || e instanceof IllegalArgumentException)) {
            listener.written(side, WriteOutcome.FAILED);
        }
    }

    /**
     * Runs one call to {@code side}, waiting at most {@link MigrationSettings#secondaryTimeout()}.
     * A call that takes longer is interrupted and fails as the side's unavailability: its outcome
     * is unknown.
     */
    private <T> T bounded(MigrationSide side, Callable<T> call) {
        Duration timeout = settings.secondaryTimeout();
        Future<T> future = calls.submit(call);
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw unavailable(side, "did not answer within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw unavailable(side, "interrupted while waiting for it", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw unavailable(side, String.valueOf(e.getCause()), e.getCause());
        }
    }

    private static RuntimeException unavailable(MigrationSide side, String state, Throwable cause) {
        return side == MigrationSide.LEGACY ? new LegacyStoreUnavailableException(state, cause)
                : new StoreUnavailableException(state, cause);
    }
}
