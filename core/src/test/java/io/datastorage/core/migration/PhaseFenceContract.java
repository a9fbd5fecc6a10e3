package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link PhaseFence} promises, for every implementation: the fence on the phase version, the
 * idempotency key (claim, replay, conflict), a failing work rolling back key and queue, the writes
 * queued for the new side, undo, and a phase change that waits for a fenced write in flight.
 */
public abstract class PhaseFenceContract {
    private static final Duration CLAIM = Duration.ofMinutes(1);

    private PhaseFence fence;
    private PhaseStore phases;
    private SecondaryWriteQueue queue;
    private PhaseState state;

    /** A new fence over an empty phase store and queue, which {@link #phases()} and {@link #queue()} then return. */
    protected abstract PhaseFence fence();

    /** The phase store the fence of the last {@link #fence()} checks. */
    protected abstract PhaseStore phases();

    /** The queue the fence of the last {@link #fence()} enqueues on. */
    protected abstract SecondaryWriteQueue queue();

    /** Returns once {@code thread} waits for a lock; by default a JVM monitor or a park. */
    protected void awaitWaitingForALock(Thread thread) throws InterruptedException {
        while (thread.isAlive() && thread.getState() == Thread.State.RUNNABLE) {
            Thread.sleep(1);
        }
    }

    @BeforeEach
    void open() {
        fence = fence();
        phases = phases();
        queue = queue();
        state = phases.initialiseIfAbsent(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY, "test", "set-up");
    }

    private static List<Receipt> receipts(int count) {
        return java.util.stream.IntStream.range(0, count)
                .mapToObj(i -> new Receipt(UUID.randomUUID(), AuditKind.EXECUTION, "c-" + i, "2026-11-20T10:00:00Z",
                        false, false)).toList();
    }

    /** Work that counts its runs and answers {@code receipts}. */
    private static Supplier<List<Receipt>> work(AtomicInteger runs, List<Receipt> receipts) {
        return () -> {
            runs.incrementAndGet();
            return receipts;
        };
    }

    private List<SecondaryWrite> queued() {
        return queue.claim(SecondaryWriteQueue.MAX_CLAIM, CLAIM).stream().map(SecondaryWriteEntry::write).toList();
    }

    @Test
    void runsTheWorkUnderTheStoredVersionAndAnswersItsReceipts() {
        List<Receipt> receipts = receipts(2);
        AtomicInteger runs = new AtomicInteger();

        WriteResult result = fence.underPhase(state, null, false, work(runs, receipts));

        assertThat(result.replayed()).isFalse();
        assertThat(result.receipts()).isEqualTo(receipts);
        assertThat(runs).hasValue(1);
        assertThat(queue.backlog().depth()).as("not asked to queue").isZero();
    }

    @Test
    void refusesAStaleVersionWithoutRunningTheWork() {
        PhaseState next = phases.change(state.version(), MigrationPhase.LEGACY_ONLY, "test", "back");
        AtomicInteger runs = new AtomicInteger();
        IdempotencyToken token = new IdempotencyToken("key-stale", "a");

        assertThatThrownBy(() -> fence.underPhase(state, token, true, work(runs, receipts(1))))
                .isInstanceOfSatisfying(PhaseChangedException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(state.version());
                    assertThat(e.storedVersion()).isEqualTo(next.version());
                });

        assertThat(runs).hasValue(0);
        assertThat(queue.backlog().depth()).isZero();
        assertThat(fence.underPhase(next, new IdempotencyToken("key-stale", "b"), false, work(runs, receipts(1)))
                .replayed()).as("the key was not claimed").isFalse();
    }

    @Test
    void replaysTheFirstAnswerForTheSameKeyAndRefusesTheKeyForAnotherRequest() {
        List<Receipt> receipts = receipts(2);
        AtomicInteger runs = new AtomicInteger();
        IdempotencyToken token = new IdempotencyToken("key-fenced", "a");

        WriteResult first = fence.underPhase(state, token, true, work(runs, receipts));
        queue.discard(queued());
        WriteResult replay = fence.underPhase(state, token, true, work(runs, receipts(2)));

        assertThat(first.replayed()).isFalse();
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.receipts()).isEqualTo(receipts);
        assertThat(runs).hasValue(1);
        assertThat(queue.backlog().depth()).as("a replay queues nothing").isZero();
        assertThatThrownBy(() -> fence.underPhase(state, new IdempotencyToken("key-fenced", "b"), true,
                work(runs, receipts(1)))).isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("key-fenced");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aFailingWorkRollsBackTheKeyAndTheQueueAndIsThrownAsItIs() {
        IllegalStateException failure = new IllegalStateException("legacy put failed");
        IdempotencyToken token = new IdempotencyToken("key-failing", "a");

        assertThatThrownBy(() -> fence.underPhase(state, token, true, () -> {
            throw failure;
        })).isSameAs(failure);

        assertThat(queue.backlog().depth()).isZero();
        AtomicInteger runs = new AtomicInteger();
        assertThat(fence.underPhase(state, new IdempotencyToken("key-failing", "b"), false, work(runs, receipts(1)))
                .replayed()).as("the key was not kept").isFalse();
        assertThat(runs).hasValue(1);
    }

    @Test
    void queuesOneNewSideWritePerReceiptWithTheVersion() {
        List<Receipt> receipts = receipts(3);

        fence.underPhase(state, null, true, () -> receipts);

        assertThat(queued()).containsExactlyInAnyOrderElementsOf(receipts.stream()
                .map(r -> new SecondaryWrite(r.id(), r.kind(), MigrationSide.NEW, state.version())).toList());
    }

    @Test
    void undoRemovesTheQueuedWritesAndTheKeyThatHoldsTheseReceipts() {
        List<Receipt> receipts = receipts(2);
        List<Receipt> others = receipts(1);
        IdempotencyToken token = new IdempotencyToken("key-undo", "a");
        IdempotencyToken other = new IdempotencyToken("key-other", "a");
        fence.underPhase(state, token, true, () -> receipts);
        fence.underPhase(state, other, true, () -> others);
        SecondaryWrite legacySide = new SecondaryWrite(receipts.getFirst().id(), AuditKind.EXECUTION,
                MigrationSide.LEGACY, state.version());
        queue.enqueue(legacySide);

        fence.undo(receipts, token);
        fence.undo(receipts, token);
        fence.undo(receipts, other);

        assertThat(queued()).as("the new side's entries of these receipts go; a legacy-side entry is not the fence's")
                .containsExactlyInAnyOrder(legacySide, new SecondaryWrite(others.getFirst().id(), AuditKind.EXECUTION,
                        MigrationSide.NEW, state.version()));
        AtomicInteger runs = new AtomicInteger();
        assertThat(fence.underPhase(state, new IdempotencyToken("key-undo", "b"), false, work(runs, receipts(1)))
                .replayed()).as("the key is free again").isFalse();
        assertThat(fence.underPhase(state, other, false, work(runs, receipts(1))).receipts())
                .as("a key holding other receipts stays").isEqualTo(others);
        assertThat(runs).hasValue(1);
    }

    @Test
    void aPhaseChangeWaitsForAFencedWriteInFlight() throws Exception {
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Receipt> receipts = receipts(1);
        FutureTask<WriteResult> writing = new FutureTask<>(() -> fence.underPhase(state, null, true, () -> {
            working.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return receipts;
        }));
        FutureTask<PhaseState> changing = new FutureTask<>(
                () -> phases.change(state.version(), MigrationPhase.DUAL_WRITE_NEW_PRIMARY, "test", "during a write"));
        Thread writer = Thread.ofPlatform().start(writing);
        working.await();
        Thread changer = Thread.ofPlatform().start(changing);

        awaitWaitingForALock(changer);
        assertThat(changing.isDone()).as("the change waits for the write").isFalse();
        release.countDown();

        assertThat(writing.get().receipts()).isEqualTo(receipts);
        assertThat(changing.get().version()).isEqualTo(state.version() + 1);
        writer.join();
        changer.join();
        assertThat(queue.backlog().depth()).isEqualTo(1);
        assertThatThrownBy(() -> fence.underPhase(state, null, true, () -> receipts(1)))
                .isInstanceOf(PhaseChangedException.class);
    }
}
