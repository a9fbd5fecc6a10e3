package io.datastorage.core.migration;

import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.WriteResult;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@link PhaseFence} in memory, for tests of the router: the fence holds the phase store's monitor
 * (which {@link InMemoryPhaseStore}'s changes take, as PostgreSQL's phase fence lock
 * makes a change wait) while the work runs; keys and their receipts live in maps.
 */
public final class InMemoryPhaseFence implements PhaseFence {
    private final PhaseStore phases;
    private final SecondaryWriteQueue queue;
    private final Map<String, String> fingerprints = new HashMap<>();
    private final Map<String, WriteResult> results = new HashMap<>();

    public InMemoryPhaseFence(PhaseStore phases, SecondaryWriteQueue queue) {
        this.phases = Objects.requireNonNull(phases, "phases");
        this.queue = Objects.requireNonNull(queue, "queue");
    }

    @Override
    public WriteResult underPhase(PhaseState state, IdempotencyToken token, boolean queueForNew,
                                  java.time.Duration queueDueIn, Supplier<List<Receipt>> work) {
        synchronized (phases) {
            long stored = phases.current().map(PhaseState::version).orElse(0L);
            if (stored != state.version()) {
                throw new PhaseChangedException(state.version(), stored);
            }
            synchronized (this) {
                if (token != null && fingerprints.containsKey(token.key())) {
                    if (!token.sameRequest(fingerprints.get(token.key()))) {
                        throw new IdempotencyConflictException(token.key());
                    }
                    return new WriteResult(results.get(token.key()).receipts(), true);
                }
            }
            List<Receipt> receipts = work.get();
            if (queueForNew) {
                queue.enqueue(receipts.stream()
                        .map(r -> new SecondaryWrite(r.id(), r.kind(), MigrationSide.NEW, state.version())).toList(), queueDueIn);
            }
            WriteResult result = new WriteResult(receipts, false);
            synchronized (this) {
                if (token != null) {
                    fingerprints.put(token.key(), token.fingerprint());
                    results.put(token.key(), result);
                }
            }
            return result;
        }
    }

    @Override
    public synchronized void undo(List<Receipt> receipts, IdempotencyToken token) {
        queue.discard(receipts.stream().map(r -> new SecondaryWrite(r.id(), r.kind(), MigrationSide.NEW, 1)).toList());
        if (token != null && results.containsKey(token.key())
                && results.get(token.key()).receipts().stream().map(Receipt::id).toList()
                .equals(receipts.stream().map(Receipt::id).toList())) {
            results.remove(token.key());
            fingerprints.remove(token.key());
        }
    }
}
