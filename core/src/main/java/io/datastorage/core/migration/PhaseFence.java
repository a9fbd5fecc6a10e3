package io.datastorage.core.migration;

import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.WriteResult;

import java.util.List;
import java.util.function.Supplier;

/**
 * The transaction a write runs in when the legacy store is the primary
 * ({@link MigrationPhase#LEGACY_ONLY}, {@link MigrationPhase#DUAL_WRITE_LEGACY_PRIMARY}): the
 * legacy store has no transaction of its own to fence or to key a request, so one of datastorage's
 * database does it. (When PostgreSQL is the primary its own write transaction does the same,
 * through {@link io.datastorage.core.store.MigrationTerms}.)
 *
 * <p>{@link #underPhase} is one transaction that, in order:
 * <ol>
 *   <li>takes a shared lock on the stored phase and throws {@link PhaseChangedException} unless its
 *       version is {@code state.version()} (a phase change waits for the lock, so nothing written
 *       under {@code v} commits after {@code v + 1} is stored);</li>
 *   <li>claims {@code token}'s idempotency key (null: none): a replay of the same request returns
 *       the first answer ({@link WriteResult#replayed()}) without running {@code work}; the key with
 *       other content throws {@link io.datastorage.core.store.IdempotencyConflictException};</li>
 *   <li>runs {@code work}, the legacy store's puts, which returns the receipts; an exception from
 *       it rolls the transaction back and is thrown as it is;</li>
 *   <li>stores the receipts with the key, enqueues a {@link SecondaryWrite} to
 *       {@link MigrationSide#NEW} for each receipt when {@code queueForNew}, and commits.</li>
 * </ol>
 * If the commit fails, {@code work}'s puts stay in the legacy store: the caller undoes them.
 * A store that cannot be reached throws {@link io.datastorage.core.store.StoreUnavailableException}
 * (a commit whose outcome is unknown: {@link io.datastorage.core.store.CommitOutcomeUnknownException}).
 * The transaction holds one connection while {@code work} runs: bound {@code work} by a timeout.
 */
public interface PhaseFence {

    /** Runs {@code work} in a transaction fenced to {@code state}; see the class comment. */
    default WriteResult underPhase(PhaseState state, IdempotencyToken token, boolean queueForNew,
                                   Supplier<List<Receipt>> work) {
        return underPhase(state, token, queueForNew, java.time.Duration.ZERO, work);
    }

    /**
     * Like {@link #underPhase(PhaseState, IdempotencyToken, boolean, Supplier)}, the entries queued
     * for the new side due after {@code queueDueIn} ({@link SecondaryWriteQueue#enqueue(List, java.time.Duration)}).
     */
    WriteResult underPhase(PhaseState state, IdempotencyToken token, boolean queueForNew, java.time.Duration queueDueIn,
                           Supplier<List<Receipt>> work);

    /**
     * Undoes what {@link #underPhase} stored for a write whose answer is a failure: the idempotency
     * key of {@code token} (null: none) when it holds these receipts, and the secondary writes
     * queued for them, in one transaction. The legacy records are the caller's to remove.
     */
    void undo(List<Receipt> receipts, IdempotencyToken token);
}
