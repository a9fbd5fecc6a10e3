package io.datastorage.store.postgres;

import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.PhaseChangedException;
import io.datastorage.core.migration.PhaseFence;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.SecondaryWrite;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.WriteResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@link PhaseFence} in datastorage's PostgreSQL: one transaction that takes the phase fence's shared
 * lock and checks the phase version ({@link #check}), claims the idempotency key as the record
 * store's writes do ({@link IdempotencyKeys}), runs the legacy store's puts, stores the receipts with
 * the key and enqueues the writes owed to the new side
 * ({@link PostgresSecondaryWriteQueue#enqueue(Connection, List)}).
 *
 * <p><b>The lock.</b> The fence is a transaction-scoped advisory lock: every fenced write takes it
 * shared, a phase change ({@link PostgresPhaseStore#change}) exclusive before it reads and updates
 * the row. The change therefore waits until every fenced transaction has ended, and a fenced write
 * that asks for the lock while a change waits queues behind it (PostgreSQL grants conflicting
 * requests in order), then reads the new version and is refused. A {@code SELECT … FOR SHARE} on the
 * phase row gives the same order, but every share locker rewrites the row's lock word (a MultiXact,
 * written to the WAL), while an advisory lock lives in shared memory only. Measured with
 * {@code ./bench/run.sh fence} (durable embedded PostgreSQL, 2 busy cores, so noisy): at 32 writers a
 * fenced write ran at 0.84 of an unfenced one with this lock, 0.79 with {@code FOR SHARE}; most of
 * the cost is the extra statement, and queueing the record for the other side costs more (0.63).
 */
final class PostgresPhaseFence implements PhaseFence {
    /** The first key of the phase fence's advisory lock ("mphs"); the second is 1. */
    static final int LOCK_CLASS = 0x6d706873;
    /**
     * Two statements, one round trip. The version is read by the second, whose snapshot (READ
     * COMMITTED) is taken after the lock is granted: a change that committed while this write
     * waited for the lock is seen.
     */
    private static final String FENCE = "SELECT pg_advisory_xact_lock_shared(" + LOCK_CLASS + ", 1); "
            + "SELECT version FROM migration_phase WHERE id = 1";

    private final DataSource dataSource;
    private final PostgresSecondaryWriteQueue queue;

    PostgresPhaseFence(DataSource dataSource, PostgresSecondaryWriteQueue queue) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    /**
     * The fence, as the first statements of the transaction {@code c} holds: takes the fence's
     * shared lock (held until that transaction ends) and throws {@link PhaseChangedException}
     * unless the stored version is {@code version} (no row stored: version 0).
     */
    static void check(Connection c, long version) throws SQLException {
        long stored;
        try (PreparedStatement ps = c.prepareStatement(FENCE)) {
            ps.execute(); // the lock's result set
            if (!ps.getMoreResults()) {
                throw new SQLException("the phase fence's version query returned no result set");
            }
            try (ResultSet rs = ps.getResultSet()) {
                stored = rs.next() ? rs.getLong(1) : 0;
            }
        }
        if (stored != version) {
            throw new PhaseChangedException(version, stored);
        }
    }

    @Override
    public WriteResult underPhase(PhaseState state, IdempotencyToken token, boolean queueForNew,
                                  Duration queueDueIn, Supplier<List<Receipt>> work) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(work, "work");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                check(c, state.version());
                if (token != null) {
                    Optional<WriteResult> earlier = IdempotencyKeys.claim(c, token);
                    if (earlier.isPresent()) {
                        c.rollback();
                        return earlier.get();
                    }
                }
                List<Receipt> receipts = List.copyOf(work.get());
                if (token != null) {
                    IdempotencyKeys.store(c, token, receipts);
                }
                if (queueForNew) {
                    queue.enqueue(c, receipts.stream()
                            .map(r -> new SecondaryWrite(r.id(), r.kind(), MigrationSide.NEW, state.version())).toList(),
                            queueDueIn);
                }
                SqlErrors.commit(c, receipts.size());
                return new WriteResult(receipts, false);
            } catch (SQLException | RuntimeException e) { // work's own exception included: thrown as it is
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("running a write fenced to migration phase version " + state.version(), e);
        }
    }

    @Override
    public void undo(List<Receipt> receipts, IdempotencyToken token) {
        Objects.requireNonNull(receipts, "receipts");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!receipts.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM secondary_writes WHERE record_id = ANY (?) AND target = 'NEW'")) { // what underPhase queued
                        ps.setArray(1, c.createArrayOf("uuid", receipts.stream().map(Receipt::id).toArray(UUID[]::new)));
                        ps.executeUpdate();
                    }
                }
                if (token != null) {
                    IdempotencyKeys.forget(c, token, receipts);
                }
                SqlErrors.commit(c, receipts.size());
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("undoing a fenced write of " + receipts.size() + " record(s)", e);
        }
    }
}
