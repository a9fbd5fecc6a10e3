package io.datastorage.core.dualwrite;

import io.datastorage.core.dualwrite.DualWriteListener.FailureReason;
import io.datastorage.core.error.Component;
import io.datastorage.core.error.DatastorageException;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.migration.PhaseChangedException;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.MigrationTerms;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes records to the store and their vectors to the index, both or neither (DESIGN.md, "Write
 * path"):
 * <ol>
 *   <li>the store opens a transaction;</li>
 *   <li>inside it, the vectors are upserted into the index (retried, behind a circuit breaker);</li>
 *   <li>the records are written, marked "index pending" unless their vector is in the index, and
 *       the transaction commits.</li>
 * </ol>
 * When the index fails: in {@link Mode#FALLBACK} the records commit still marked (the repair
 * worker indexes them later, the receipts say {@code vectorIndexed: false}); in
 * {@link Mode#STRICT} the transaction rolls back and {@link IndexWriteRejectedException} says so.
 * When the commit fails after the upsert, the vectors are deleted again (compensation); should that
 * fail too, the reconciler finds the orphans. When the connection breaks during the commit
 * ({@link CommitOutcomeUnknownException}), the commit may have landed, so the vectors stay and the
 * reconciler removes them if it did not. A request whose deadline passes or that is
 * cancelled persists nothing: it is checked before the write and again before the commit.
 * Records without an embedding are stored pending and never reach the index here.
 *
 * <p>That is the {@link WriteOrder#IN_TRANSACTION} order, which holds the transaction (a pooled
 * connection, the idempotency key's lock) across the upsert. In fallback mode a coordinator can
 * {@linkplain #withWriteOrder write} {@link WriteOrder#COMMIT_THEN_INDEX} instead, for a remote
 * index: the records commit marked, the vectors are upserted with no connection held, and a second
 * short transaction clears the marks. Once the records are committed nothing fails the write: an
 * index that fails, a clearing that fails, a deadline that passes, or a crash between the steps
 * leaves the records marked, and the repair worker indexes them (its upsert is idempotent).
 * Nothing is upserted before the commit, so nothing is ever compensated or in flight.
 *
 * <p>The outcome is decided before anyone is told about it: the {@link DualWriteListener} is
 * called through a guard that logs and swallows whatever it throws, on every path, so a metric
 * that fails can neither turn a committed write into an error nor undo it (delete its vectors),
 * and cannot replace the exception of a failed write by its own.
 */
public final class DualWriteCoordinator {
    private static final Logger log = LoggerFactory.getLogger(DualWriteCoordinator.class);

    public enum Mode { FALLBACK, STRICT }

    private final RecordStore store;
    /** {@code null}: {@linkplain #storeOnly store only}. */
    private final GuardedIndex index;
    private final Mode mode;
    private final DualWriteListener listener;
    private final InFlightWrites inFlight;
    /** Never {@link WriteOrder#AUTO}. */
    private final WriteOrder order;
    /** Where {@link WriteOrder#COMMIT_THEN_INDEX} clears the marks; null in the other order. */
    private final IndexBacklog backlog;

    public DualWriteCoordinator(RecordStore store, GuardedIndex index, Mode mode, DualWriteListener listener) {
        this(store, index, mode, listener, new InFlightWrites());
    }

    /** @param inFlight where the ids of writes between upsert and the end of their transaction are kept */
    public DualWriteCoordinator(RecordStore store, GuardedIndex index, Mode mode, DualWriteListener listener,
                                InFlightWrites inFlight) {
        this.store = store;
        this.index = index;
        this.mode = mode;
        this.listener = new GuardedListener(listener);
        this.inFlight = inFlight;
        this.order = WriteOrder.IN_TRANSACTION;
        this.backlog = null;
    }

    private DualWriteCoordinator(DualWriteCoordinator base, WriteOrder order, IndexBacklog backlog) {
        this.store = base.store;
        this.index = base.index;
        this.mode = base.mode;
        this.listener = base.listener;
        this.inFlight = base.inFlight;
        this.order = order;
        this.backlog = order == WriteOrder.COMMIT_THEN_INDEX ? Objects.requireNonNull(backlog, "backlog") : null;
    }

    /**
     * This coordinator writing in {@code order} ({@link WriteOrder#AUTO} resolved against its
     * index and mode); a coordinator is built {@link WriteOrder#IN_TRANSACTION}.
     *
     * @param backlog where {@link WriteOrder#COMMIT_THEN_INDEX} clears the records' marks once
     *                their vectors are in the index (the same store's {@link IndexBacklog})
     * @throws io.datastorage.core.config.InvalidConfigException {@link WriteOrder#COMMIT_THEN_INDEX}
     *         in strict mode, which it cannot keep
     */
    public DualWriteCoordinator withWriteOrder(WriteOrder order, IndexBacklog backlog) {
        WriteOrder resolved = order.resolve(index == null ? null : index.index(), mode);
        if (index != null) {
            log.info("Dual-write order: {} (configured {}, mode {})", resolved.value(), order.value(),
                    mode.name().toLowerCase(java.util.Locale.ROOT));
        }
        return new DualWriteCoordinator(this, resolved, backlog);
    }

    /** The order this coordinator's writes follow: never {@link WriteOrder#AUTO}. */
    public WriteOrder writeOrder() {
        return order;
    }

    /**
     * A coordinator for a service that runs without a vector index: every record is stored with
     * its indexing pending (so that an index configured later indexes it), and nothing is logged
     * or counted as a fallback, since no index failed. The deadline is checked as in
     * {@link #write}.
     */
    public static DualWriteCoordinator storeOnly(RecordStore store, DualWriteListener listener) {
        return new DualWriteCoordinator(store, null, Mode.FALLBACK, listener, new InFlightWrites());
    }

    /**
     * @throws IllegalArgumentException     no records, or a vector of the wrong dimension (nothing written)
     * @throws DeadlineExceededException    the deadline passed or the request was cancelled (nothing written)
     * @throws IndexWriteRejectedException  strict mode and the index failed (nothing written)
     * @throws StoreUnavailableException    the store could not be reached or failed transiently (nothing
     *                                      written; vectors compensated)
     * @throws StoreException               the store failed (nothing written; vectors compensated)
     */
    public WriteResult write(List<NewRecord> records, IdempotencyToken token, Deadline deadline) {
        return write(records, token, deadline, null);
    }

    /**
     * Like {@link #write(List, IdempotencyToken, Deadline)}, the store's transaction also keeping a
     * migration's {@code terms} (fenced to a phase version, queueing the secondary writes; null:
     * none). Records with a given {@link NewRecord#id()} are stored under it.
     *
     * @throws PhaseChangedException   the phase moved on (nothing written; vectors compensated;
     *                                 not counted as a failure: the router runs the write again)
     * @throws io.datastorage.core.store.RecordConflictException a given id is stored with other
     *                                 content (nothing written; vectors compensated)
     */
    public WriteResult write(List<NewRecord> records, IdempotencyToken token, Deadline deadline, MigrationTerms terms) {
        try {
            checkInput(records);
        } catch (IllegalArgumentException e) {
            listener.failed(FailureReason.VALIDATION_FAILURE);
            throw e;
        }
        if (order == WriteOrder.COMMIT_THEN_INDEX) {
            return commitThenIndex(records, token, deadline, terms);
        }
        AtomicReference<Set<UUID>> attempted = new AtomicReference<>(Set.of());
        AtomicReference<Set<UUID>> upserted = new AtomicReference<>(Set.of());
        WriteResult result;
        try {
            deadline.check("writing");
            BeforeCommit hook = indexable -> indexBeforeCommit(indexable, attempted, upserted, deadline);
            result = terms == null ? store.write(records, token, hook) : store.write(records, token, hook, terms);
        } catch (PhaseChangedException e) {
            compensate(upserted.get());
            throw e;
        } catch (DeadlineExceededException e) {
            compensate(upserted.get());
            listener.failed(FailureReason.CONTEXT_CANCELED);
            throw e;
        } catch (IndexWriteRejectedException e) {
            compensate(upserted.get());
            throw e;
        } catch (IdempotencyConflictException e) {
            throw e;
        } catch (CommitOutcomeUnknownException e) {
            // The commit may have landed: its vectors stay. If it did not, they are orphans,
            // which the reconciler removes; deleting them could leave committed records unindexed.
            listener.failed(FailureReason.POSTGRESQL_FAILURE);
            throw e;
        } catch (RuntimeException e) {
            // A failure of PostgreSQL, of either branch, is PostgreSQL refusing or not doing a step of
            // the write, whichever: claiming the key, the insert, the commit. Whether vectors were
            // upserted before does not change the cause.
            compensate(upserted.get());
            listener.failed(storeFailureReason(e));
            throw e;
        } finally {
            inFlight.end(attempted.get());
        }
        // Committed (or replayed): from here on nothing may change the answer or undo the write.
        if (!result.replayed()) {
            long indexed = result.receipts().stream().filter(r -> r.vectorIndexed()).count();
            listener.succeeded((int) indexed);
        }
        return result;
    }

    /**
     * Why a write failed in the store's transaction: PostgreSQL refusing or not doing a step of it
     * (claiming the key, the insert, the commit; of either branch), or anything else rolling it back.
     */
    private static FailureReason storeFailureReason(RuntimeException e) {
        return e instanceof DatastorageException failure && failure.component() == Component.POSTGRESQL
                ? FailureReason.POSTGRESQL_FAILURE : FailureReason.TRANSACTION_ROLLBACK;
    }

    private void checkInput(List<NewRecord> records) {
        if (records == null || records.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        for (NewRecord record : records) {
            if (record == null) {
                throw new IllegalArgumentException("a record is missing");
            }
            if (index != null && record.embedded() && record.embedding().length != index.index().dimension()) {
                throw new IllegalArgumentException("an embedding has " + record.embedding().length
                        + " dimensions; the vector index holds " + index.index().dimension());
            }
        }
    }

    private Set<UUID> indexBeforeCommit(List<IndexableRecord> records, AtomicReference<Set<UUID>> attempted,
                                        AtomicReference<Set<UUID>> upserted, Deadline deadline) {
        if (index == null) {
            deadline.check("committing");
            return Set.of();
        }
        deadline.check("indexing");
        List<IndexEntry> entries = records.stream().map(IndexableRecord::toEntry).toList();
        Set<UUID> ids = new LinkedHashSet<>();
        entries.forEach(entry -> ids.add(entry.id()));
        attempted.set(ids);
        inFlight.begin(ids);
        try {
            index.upsert(entries);
        } catch (DeadlineExceededException e) {
            throw e;
        } catch (RuntimeException e) {
            // Unavailable, or an answer we did not expect: either way the record is worth keeping.
            if (!(e instanceof TransientException)) {
                log.error("The vector index failed unexpectedly", e);
            }
            if (mode == Mode.STRICT) {
                // A failed batch may have been written in part; those vectors must not outlive the rollback.
                upserted.set(ids);
                listener.failed(FailureReason.VECTORDB_FAILURE);
                throw new IndexWriteRejectedException("the vector index is unavailable; nothing was stored: "
                        + e.getMessage(), e);
            }
            listener.fellBack(records.size());
            log.warn("Vector index unavailable ({}); {} record(s) stored with their indexing pending",
                    e.getMessage(), records.size());
            return Set.of();
        }
        upserted.set(ids);
        deadline.check("committing");
        return ids;
    }

    /**
     * {@link WriteOrder#COMMIT_THEN_INDEX}: commits the records marked "index pending", then
     * {@linkplain #indexCommitted indexes} them with no connection held. Before the commit it fails
     * like {@link #write} (nothing stored; no vector was upserted, so nothing to compensate); after
     * it, nothing fails the write.
     */
    private WriteResult commitThenIndex(List<NewRecord> records, IdempotencyToken token, Deadline deadline,
                                        MigrationTerms terms) {
        AtomicReference<List<IndexableRecord>> committing = new AtomicReference<>(List.of());
        WriteResult result;
        try {
            deadline.check("writing");
            BeforeCommit hook = indexable -> {
                // Inside the transaction, so that an expired request still persists nothing.
                deadline.check("committing");
                committing.set(indexable);
                return Set.of();
            };
            result = terms == null ? store.write(records, token, hook) : store.write(records, token, hook, terms);
        } catch (PhaseChangedException e) {
            throw e;
        } catch (DeadlineExceededException e) {
            listener.failed(FailureReason.CONTEXT_CANCELED);
            throw e;
        } catch (IdempotencyConflictException e) {
            throw e;
        } catch (RuntimeException e) {
            // A commit whose outcome is unknown left its records marked if it landed: the repair indexes them.
            listener.failed(storeFailureReason(e));
            throw e;
        }
        if (result.replayed()) {
            return asIndexedNow(result);
        }
        // Committed: from here on nothing may change the answer or undo the write.
        Set<UUID> indexed = indexCommitted(committing.get(), deadline);
        listener.succeeded(indexed.size());
        return new WriteResult(result.receipts().stream()
                .map(receipt -> receipt.withVectorIndexed(indexed.contains(receipt.id()))).toList(), false);
    }

    /**
     * Upserts the vectors of committed records, then clears their marks in a second short
     * transaction ({@link IndexBacklog#completeIndex}, which keeps their fingerprints too). Never
     * throws: a deadline already passed skips the upsert, a failed upsert or a failed clearing
     * leaves the marks (the vectors are then in the index or not; the repair worker's upsert is
     * idempotent either way), and each of these counts as a fallback.
     *
     * @return the ids whose marks are cleared: those the answer calls indexed
     */
    private Set<UUID> indexCommitted(List<IndexableRecord> records, Deadline deadline) {
        if (records.isEmpty() || index == null) {
            return Set.of();
        }
        if (deadline.expired()) {
            listener.fellBack(records.size());
            log.warn("{} record(s) committed as the request's deadline passed; stored with their indexing pending",
                    records.size());
            return Set.of();
        }
        try {
            index.upsert(records.stream().map(IndexableRecord::toEntry).toList());
        } catch (RuntimeException e) {
            if (!(e instanceof TransientException)) {
                log.error("The vector index failed unexpectedly", e);
            }
            listener.fellBack(records.size());
            log.warn("Vector index unavailable ({}); {} record(s) stored with their indexing pending",
                    e.getMessage(), records.size());
            return Set.of();
        }
        try {
            backlog.completeIndex(records);
        } catch (RuntimeException e) {
            listener.fellBack(records.size());
            log.warn("{} record(s) indexed, but their index marks could not be cleared ({}); the repair worker "
                    + "indexes them again", records.size(), e.getMessage());
            return Set.of();
        }
        Set<UUID> ids = new LinkedHashSet<>();
        records.forEach(record -> ids.add(record.id()));
        return ids;
    }

    /**
     * A replay's receipts with {@code vectorIndexed} as of now: the receipts kept with the key
     * are those of the commit, where every record was still marked, while the first answer said
     * {@code true} for the records whose marks it cleared. Read from the records, a replay never
     * says {@code false} where the first answer said {@code true}; it may say {@code true} where
     * the first said {@code false}, the repair worker having indexed the record since.
     */
    private WriteResult asIndexedNow(WriteResult replay) {
        List<Receipt> receipts = replay.receipts().stream().map(receipt -> receipt.vectorIndexed() || !receipt.embedded()
                ? receipt
                : receipt.withVectorIndexed(store.find(receipt.kind(), receipt.id())
                        .map(AuditRecord::vectorIndexed).orElse(false))).toList();
        return new WriteResult(receipts, true);
    }

    /**
     * Undoes a committed write whose answer is a failure (a migration's {@code fail} policy):
     * {@link RecordStore#undo} of its records, their queued secondary writes and {@code token}'s key,
     * then the deletion of their vectors from the index, best effort (what fails there is logged and
     * left to the reconciler, as for any orphan vector). Records already gone are skipped.
     *
     * @throws RuntimeException the store's failure to undo ({@link StoreUnavailableException}:
     *                          nothing or everything was undone); the vectors are then left alone
     */
    public void undo(List<Receipt> receipts, IdempotencyToken token) {
        if (receipts.isEmpty()) {
            return;
        }
        store.undo(receipts, token);
        if (index == null) {
            return;
        }
        Set<UUID> ids = new LinkedHashSet<>();
        receipts.forEach(receipt -> ids.add(receipt.id()));
        compensate(ids);
    }

    /** Deletes vectors whose records did not commit; what fails here is left to the reconciler. */
    private void compensate(Set<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        try {
            index.delete(ids);
        } catch (RuntimeException e) {
            log.warn("Could not delete {} vector(s) whose records did not commit ({}); the reconciler removes them",
                    ids.size(), e.getMessage());
        }
    }

    /**
     * Calls the listener and swallows what it throws, logged: the listener only observes, so its
     * failure must never change the outcome of a write that has already been decided.
     */
    private static final class GuardedListener implements DualWriteListener {
        private final DualWriteListener listener;

        GuardedListener(DualWriteListener listener) {
            this.listener = listener;
        }

        @Override
        public void succeeded(int records) {
            guard("succeeded", () -> listener.succeeded(records));
        }

        @Override
        public void failed(FailureReason reason) {
            guard("failed(" + reason.label() + ")", () -> listener.failed(reason));
        }

        @Override
        public void fellBack(int records) {
            guard("fellBack", () -> listener.fellBack(records));
        }

        private static void guard(String call, Runnable notification) {
            try {
                notification.run();
            } catch (RuntimeException e) {
                log.error("The dual-write listener failed in {}; the write's outcome stands", call, e);
            }
        }
    }
}
