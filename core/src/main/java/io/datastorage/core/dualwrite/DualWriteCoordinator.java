package io.datastorage.core.dualwrite;

import io.datastorage.core.dualwrite.DualWriteListener.FailureReason;
import io.datastorage.core.error.Component;
import io.datastorage.core.error.DatastorageException;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
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
 * <p>The outcome is decided before anyone is told about it: the {@link DualWriteListener} is
 * called through a guard that logs and swallows whatever it throws, on every path, so a metric
 * that fails can neither turn a committed write into an error nor undo it (delete its vectors),
 * and cannot replace the exception of a failed write by its own.
 */
public final class DualWriteCoordinator {
    private static final Logger log = LoggerFactory.getLogger(DualWriteCoordinator.class);

    public enum Mode { FALLBACK, STRICT }

    private final AuditStore store;
    /** {@code null}: {@linkplain #storeOnly store only}. */
    private final GuardedIndex index;
    private final Mode mode;
    private final DualWriteListener listener;
    private final InFlightWrites inFlight;

    public DualWriteCoordinator(AuditStore store, GuardedIndex index, Mode mode, DualWriteListener listener) {
        this(store, index, mode, listener, new InFlightWrites());
    }

    /** @param inFlight where the ids of writes between upsert and the end of their transaction are kept */
    public DualWriteCoordinator(AuditStore store, GuardedIndex index, Mode mode, DualWriteListener listener,
                                InFlightWrites inFlight) {
        this.store = store;
        this.index = index;
        this.mode = mode;
        this.listener = new GuardedListener(listener);
        this.inFlight = inFlight;
    }

    /**
     * A coordinator for a service that runs without a vector index: every record is stored with
     * its indexing pending (so that an index configured later indexes it), and nothing is logged
     * or counted as a fallback, since no index failed. The deadline is checked as in
     * {@link #write}.
     */
    public static DualWriteCoordinator storeOnly(AuditStore store, DualWriteListener listener) {
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
        try {
            checkInput(records);
        } catch (IllegalArgumentException e) {
            listener.failed(FailureReason.VALIDATION_FAILURE);
            throw e;
        }
        AtomicReference<Set<UUID>> attempted = new AtomicReference<>(Set.of());
        AtomicReference<Set<UUID>> upserted = new AtomicReference<>(Set.of());
        WriteResult result;
        try {
            deadline.check("writing");
            result = store.write(records, token,
                    indexable -> indexBeforeCommit(indexable, attempted, upserted, deadline));
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
            listener.failed(e instanceof DatastorageException failure && failure.component() == Component.POSTGRESQL
                    ? FailureReason.POSTGRESQL_FAILURE : FailureReason.TRANSACTION_ROLLBACK);
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
