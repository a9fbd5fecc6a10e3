package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DeadlineExceededException;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.MigrationTerms;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.Route;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The router's idempotency, its undo, a phase moving while writes run, and the queue job's convergence. */
class MigrationRouterTest {

    private static Map<UUID, MigrationPhase> ids(WriteResult result, MigrationPhase phase) {
        Map<UUID, MigrationPhase> ids = new HashMap<>();
        result.receipts().forEach(r -> ids.put(r.id(), phase));
        return ids;
    }

    @ParameterizedTest
    @EnumSource(MigrationPhase.class)
    void aReplayStoresNothingAndAnswersTheFirstReceiptsAndAnotherContentConflicts(MigrationPhase phase) {
        RouterFixture fixture = new RouterFixture(phase);
        MigrationRouter router = fixture.router(MigrationSettings.defaults());
        List<NewRecord> records = fixture.records(3);
        IdempotencyToken token = RouterFixture.token("k-1", records);

        WriteResult first = router.write(records, token, Deadline.none());
        Set<UUID> legacyBefore = fixture.onLegacy();
        Set<UUID> newBefore = fixture.onNew();
        WriteResult replay = router.write(records, token, Deadline.none());

        assertThat(first.replayed()).isFalse();
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.receipts()).isEqualTo(first.receipts());
        assertThat(replay.route()).isEqualTo(first.route());
        assertThat(fixture.onLegacy()).isEqualTo(legacyBefore);
        assertThat(fixture.onNew()).isEqualTo(newBefore);
        List<NewRecord> other = fixture.records(3);
        assertThatThrownBy(() -> router.write(other, new IdempotencyToken("k-1", token.fingerprint() + "-other"),
                Deadline.none())).isInstanceOf(IdempotencyConflictException.class);
        fixture.checkInvariants(ids(first, phase));
    }

    /** A fence whose first commit breaks after the legacy puts ran: the crash between the put and the commit. */
    private static PhaseFence crashingOnce(PhaseFence fence) {
        AtomicBoolean crashed = new AtomicBoolean();
        return new PhaseFence() {
            @Override
            public WriteResult underPhase(PhaseState state, IdempotencyToken token, boolean queueForNew,
                                          Duration queueDueIn, Supplier<List<Receipt>> work) {
                if (crashed.compareAndSet(false, true)) {
                    work.get();
                    throw new CommitOutcomeUnknownException("connection lost during the commit (injected)", null);
                }
                return fence.underPhase(state, token, queueForNew, queueDueIn, work);
            }

            @Override
            public void undo(List<Receipt> receipts, IdempotencyToken token) {
                fence.undo(receipts, token);
            }
        };
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"LEGACY_ONLY", "DUAL_WRITE_LEGACY_PRIMARY"})
    void aRetryAfterACrashBetweenTheLegacyPutAndTheFenceCommitMakesNoSecondCopy(MigrationPhase phase) {
        RouterFixture fixture = new RouterFixture(phase);
        MigrationRouter router = fixture.router(MigrationSettings.defaults(),
                crashingOnce(new InMemoryPhaseFence(fixture.phaseStore, fixture.queue)));
        List<NewRecord> records = fixture.records(3);
        IdempotencyToken token = RouterFixture.token("k-crash", records);

        assertThatThrownBy(() -> router.write(records, token, Deadline.none()))
                .isInstanceOf(CommitOutcomeUnknownException.class);
        assertThat(fixture.legacy.count(AuditKind.REMEDIATION)).as("the puts landed before the crash").isEqualTo(3);
        WriteResult retry = router.write(records, token, Deadline.none());

        assertThat(retry.replayed()).isFalse();
        assertThat(fixture.legacy.count(AuditKind.REMEDIATION)).as("the retry put the same ids again").isEqualTo(3);
        assertThat(fixture.onLegacy()).containsExactlyInAnyOrderElementsOf(
                retry.receipts().stream().map(Receipt::id).toList());
        fixture.checkInvariants(ids(retry, phase));
    }

    @Test
    void idsChosenForARequestWithAKeyDependOnTheKeyTheContentAndTheIndexOnly() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.LEGACY_ONLY);
        List<NewRecord> records = fixture.records(2);
        IdempotencyToken token = RouterFixture.token("k", records);

        List<NewRecord> once = MigrationRouter.chooseIds(records, token);
        List<NewRecord> again = MigrationRouter.chooseIds(records, token);
        List<NewRecord> otherKey = MigrationRouter.chooseIds(records, new IdempotencyToken("k2", token.fingerprint()));
        List<NewRecord> noKey = MigrationRouter.chooseIds(records, null);

        assertThat(once).extracting(NewRecord::id).containsExactlyElementsOf(again.stream().map(NewRecord::id).toList())
                .doesNotHaveDuplicates().allMatch(id -> id.version() == 5);
        assertThat(otherKey.getFirst().id()).isNotEqualTo(once.getFirst().id());
        assertThat(noKey).extracting(NewRecord::id).allMatch(id -> id.version() == 7);
    }

    @Test
    void whenTheUndoFailsTheAnswerSaysTheOutcomeIsUnknownAndTheStoresConvergeOnBoth() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        MigrationRouter router = fixture.router(RouterFixture.settings(SecondaryPolicy.FAIL, SecondaryMode.SYNC));
        List<NewRecord> records = fixture.records(3);
        fixture.legacy.down(true);
        fixture.coordinatorStore.undoFails = true;

        assertThatThrownBy(() -> router.write(records, null, Deadline.none()))
                .isInstanceOf(CommitOutcomeUnknownException.class).hasMessageContaining("same Idempotency-Key");
        fixture.legacy.down(false);
        Set<UUID> stored = fixture.onNew();
        assertThat(stored).hasSize(3);
        Map<UUID, MigrationPhase> maybe = new HashMap<>();
        stored.forEach(id -> maybe.put(id, MigrationPhase.DUAL_WRITE_NEW_PRIMARY));
        fixture.checkInvariants(maybe);
        fixture.drainQueue();
        assertThat(fixture.onLegacy()).isEqualTo(stored);
    }

    @Test
    void underPolicyFailALegacyCopyThatCannotBeRemovedLeavesNoKeyThatWouldReplayASuccess() {
        // The undo frees the key before it removes the legacy copies: a client told "retry" must not get a
        // replayed 201 for records that the removals then took away.
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        AtomicBoolean removalsFail = new AtomicBoolean(true);
        LegacyStore sticky = new ForwardingLegacyStore(fixture.legacy) {
            @Override
            public boolean remove(AuditKind kind, UUID id) {
                if (removalsFail.get()) {
                    throw new LegacyStoreUnavailableException("remove refused by the test", null);
                }
                return super.remove(kind, id);
            }
        };
        MigrationRouter router = new MigrationRouter(fixture.watcher, fixture.coordinator, fixture.newStore, sticky,
                new InMemoryPhaseFence(fixture.phaseStore, fixture.queue), fixture.queue,
                RouterFixture.settings(SecondaryPolicy.FAIL, SecondaryMode.SYNC), fixture.listener);
        List<NewRecord> records = fixture.records(2);
        IdempotencyToken token = RouterFixture.token("k-sticky", records);
        fixture.newStore.fault(InMemoryAuditStore.Fault.BEGIN);

        assertThatThrownBy(() -> router.write(records, token, Deadline.none()))
                .isInstanceOf(CommitOutcomeUnknownException.class).hasMessageContaining("copy remains in the legacy store");
        assertThat(fixture.queue.backlog().depth()).as("the fence's entries undone").isZero();

        fixture.newStore.fault(InMemoryAuditStore.Fault.NONE);
        removalsFail.set(false);
        WriteResult retry = router.write(records, token, Deadline.none());

        assertThat(retry.replayed()).as("the key was freed: the retry writes").isFalse();
        Set<UUID> ids = Set.copyOf(retry.receipts().stream().map(Receipt::id).toList());
        assertThat(fixture.onLegacy()).as("the same ids put again: one copy each").isEqualTo(ids);
        assertThat(fixture.onNew()).isEqualTo(ids);
    }

    @Test
    void inSyncModeTheQueueJobLeavesASecondaryWriteToTheRouterUntilItsCallsHadTheirTime() {
        // Otherwise the job could put a record the router is still writing, or is about to undo (policy fail).
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        MigrationRouter router = fixture.router(RouterFixture.settings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC));
        fixture.legacy.down(true);
        WriteResult written = router.write(fixture.records(2), null, Deadline.none());
        fixture.legacy.down(false);
        SecondaryWriteJob job = fixture.job();

        job.runOnce();
        assertThat(fixture.onLegacy()).as("not due while the router's calls may run").isEmpty();
        fixture.clock.advance(Duration.ofSeconds(5 * 2 + 1));
        job.runOnce();

        assertThat(fixture.onLegacy()).isEqualTo(Set.copyOf(written.receipts().stream().map(Receipt::id).toList()));
    }

    @Test
    void underPolicyFailASecondaryThatFailsUndoesThePrimaryAndItsVectors() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        MigrationRouter router = fixture.router(RouterFixture.settings(SecondaryPolicy.FAIL, SecondaryMode.SYNC));
        fixture.legacy.down(true);

        assertThatThrownBy(() -> router.write(fixture.records(3), null, Deadline.none()))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("nothing was stored");

        assertThat(fixture.onNew()).isEmpty();
        assertThat(fixture.index.count()).isZero();
        assertThat(fixture.queue.backlog().depth()).isZero();
        assertThat(fixture.written(MigrationSide.NEW, WriteOutcome.UNDONE)).isEqualTo(1);
        assertThat(fixture.written(MigrationSide.LEGACY, WriteOutcome.FAILED)).isEqualTo(1);
    }

    @Test
    void aSecondaryCallThatTakesLongerThanTheTimeoutFailsAndStaysQueued() throws Exception {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        CountDownLatch release = new CountDownLatch(1);
        LegacyStore hanging = new ForwardingLegacyStore(fixture.legacy) {
            @Override
            public PutOutcome put(LegacyRecord record) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LegacyStoreUnavailableException("interrupted", e);
                }
                return super.put(record);
            }
        };
        MigrationRouter router = new MigrationRouter(fixture.watcher, fixture.coordinator, fixture.newStore, hanging,
                new InMemoryPhaseFence(fixture.phaseStore, fixture.queue), fixture.queue,
                new MigrationSettings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC, 0, Duration.ofMillis(50)),
                fixture.listener);
        try {
            WriteResult result = router.write(fixture.records(1), null, Deadline.none());

            assertThat(fixture.written(MigrationSide.LEGACY, WriteOutcome.QUEUED)).isEqualTo(1);
            fixture.checkInvariants(ids(result, MigrationPhase.DUAL_WRITE_NEW_PRIMARY));
            fixture.drainQueue();
            assertThat(fixture.onLegacy()).containsExactlyElementsOf(result.receipts().stream().map(Receipt::id).toList());
        } finally {
            release.countDown();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"DUAL_WRITE_LEGACY_PRIMARY", "DUAL_WRITE_NEW_PRIMARY"})
    void theQueueJobConvergesBothStoresAfterTheSecondaryWasDown(MigrationPhase phase) {
        RouterFixture fixture = new RouterFixture(phase);
        MigrationRouter router = fixture.router(RouterFixture.settings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC));
        MigrationSide secondary = phase.secondary().orElseThrow();
        fixture.down(secondary, true);
        Map<UUID, MigrationPhase> acknowledged = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            acknowledged.putAll(ids(router.write(fixture.records(3), null, Deadline.none()), phase));
        }
        fixture.job().runOnce();
        assertThat(fixture.queue.backlog().depth()).as("nothing is lost while it is down").isEqualTo(15);

        fixture.down(secondary, false);
        assertThat(fixture.on(secondary)).isEmpty();
        fixture.drainQueue();

        assertThat(fixture.onLegacy()).isEqualTo(acknowledged.keySet());
        assertThat(fixture.onNew()).isEqualTo(acknowledged.keySet());
        for (UUID id : acknowledged.keySet()) {
            assertThat(fixture.legacy.find(AuditKind.REMEDIATION, id).orElseThrow()
                    .sameContentAs(NewSideRecords.source(fixture.newStore).find(AuditKind.REMEDIATION, id).orElseThrow()))
                    .isTrue();
        }
        fixture.checkInvariants(acknowledged);
    }

    @Test
    void aWriteThatFindsThePhaseMovedRunsOnceMoreUnderTheNewPhase() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        MigrationRouter router = fixture.router(RouterFixture.settings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC));
        PhaseState seen = fixture.watcher.current();
        fixture.phaseStore.change(seen.version(), MigrationPhase.DUAL_WRITE_NEW_PRIMARY, "test", "moved elsewhere");
        assertThat(fixture.watcher.current()).as("this replica has not seen the move yet").isEqualTo(seen);

        WriteResult result = router.write(fixture.records(2), null, Deadline.none());

        assertThat(result.route()).isEqualTo(new Route("DUAL_WRITE_NEW_PRIMARY", seen.version() + 1));
        assertThat(fixture.watcher.current().version()).isEqualTo(seen.version() + 1);
        fixture.checkInvariants(ids(result, MigrationPhase.DUAL_WRITE_NEW_PRIMARY));
    }

    @Test
    void theCoordinatorCountsAPhaseChangeAsNoFailureAndLeavesNoVector() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        AtomicInteger failures = new AtomicInteger();
        DualWriteCoordinator counting = new DualWriteCoordinator(
                fixture.newStore, GuardedIndex.of(fixture.index, 1, Duration.ofMillis(1),
                Duration.ofSeconds(30)), DualWriteCoordinator.Mode.FALLBACK,
                new DualWriteListener() {
                    @Override
                    public void failed(FailureReason reason) {
                        failures.incrementAndGet();
                    }
                });
        long stale = fixture.watcher.current().version();
        fixture.phaseStore.change(stale, MigrationPhase.NEW_ONLY, "test", "moved");

        assertThatThrownBy(() -> counting.write(fixture.records(2), null, Deadline.none(),
                new MigrationTerms(stale, true))).isInstanceOf(PhaseChangedException.class);
        assertThat(failures).hasValue(0);
        assertThat(fixture.index.count()).isZero();
        fixture.checkInvariants(Map.of());
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"LEGACY_ONLY", "DUAL_WRITE_LEGACY_PRIMARY"})
    void aSecondPhaseChangeIsThrownAndStoresNothing(MigrationPhase phase) {
        RouterFixture fixture = new RouterFixture(phase);
        AtomicInteger tries = new AtomicInteger();
        PhaseFence alwaysMoved = new PhaseFence() {
            @Override
            public WriteResult underPhase(PhaseState state, IdempotencyToken token, boolean queueForNew,
                                          Duration queueDueIn, Supplier<List<Receipt>> work) {
                tries.incrementAndGet();
                throw new PhaseChangedException(state.version(), state.version() + 1);
            }

            @Override
            public void undo(List<Receipt> receipts, IdempotencyToken token) {
            }
        };
        MigrationRouter router = fixture.router(MigrationSettings.defaults(), alwaysMoved);

        assertThatThrownBy(() -> router.write(fixture.records(1), null, Deadline.none()))
                .isInstanceOf(PhaseChangedException.class);
        assertThat(tries).hasValue(2);
        fixture.checkInvariants(Map.of());
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"LEGACY_ONLY", "DUAL_WRITE_LEGACY_PRIMARY"})
    void aBatchWhoseLegacyPutFailsPartWayRemovesTheRecordsPutBefore(MigrationPhase phase) {
        for (boolean conflict : new boolean[] {false, true}) {
            RouterFixture fixture = new RouterFixture(phase);
            AtomicInteger puts = new AtomicInteger();
            LegacyStore failingSecondPut = new ForwardingLegacyStore(fixture.legacy) {
                @Override
                public PutOutcome put(LegacyRecord record) {
                    if (puts.incrementAndGet() == 2) {
                        throw conflict ? new LegacyRecordConflictException(record.id(), record.storageKey())
                                : new LegacyStoreUnavailableException("failed on the second put (injected)", null);
                    }
                    return super.put(record);
                }
            };
            MigrationRouter router = new MigrationRouter(fixture.watcher, fixture.coordinator, fixture.newStore,
                    failingSecondPut, new InMemoryPhaseFence(fixture.phaseStore, fixture.queue), fixture.queue,
                    MigrationSettings.defaults(), fixture.listener);

            assertThatThrownBy(() -> router.write(fixture.records(3), null, Deadline.none()))
                    .isInstanceOf(conflict ? LegacyRecordConflictException.class : LegacyStoreUnavailableException.class);
            assertThat(puts).hasValue(2);
            fixture.checkInvariants(Map.of());
            assertThat(fixture.written(MigrationSide.LEGACY, WriteOutcome.FAILED)).isEqualTo(1);
        }
    }

    @Test
    void aGivenIdHeldWithOtherContentIsRefusedAndTheHeldRecordStays() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.LEGACY_ONLY);
        List<NewRecord> first = fixture.records(2);
        UUID taken = UUID.randomUUID();
        LegacyRecord held = MigrationRecords.toLegacy(fixture.records(1).getFirst().withId(taken, null));
        fixture.legacy.put(held);
        MigrationRouter router = fixture.router(MigrationSettings.defaults());
        List<NewRecord> batch = List.of(first.get(0), first.get(1).withId(taken, null));

        assertThatThrownBy(() -> router.write(batch, null, Deadline.none()))
                .isInstanceOf(LegacyRecordConflictException.class);

        assertThat(fixture.onLegacy()).containsExactly(taken);
        assertThat(fixture.legacy.find(AuditKind.REMEDIATION, taken)).hasValueSatisfying(
                stored -> assertThat(stored.sameContentAs(held)).isTrue());
    }

    @ParameterizedTest
    @EnumSource(MigrationPhase.class)
    void aWriteWhoseDeadlineHasPassedStoresNothing(MigrationPhase phase) {
        RouterFixture fixture = new RouterFixture(phase);
        MigrationRouter router = fixture.router(MigrationSettings.defaults());

        assertThatThrownBy(() -> router.write(fixture.records(2), null,
                Deadline.at(RouterFixture.T0.minusSeconds(1), fixture.clock)))
                .isInstanceOf(DeadlineExceededException.class);
        fixture.checkInvariants(Map.of());
    }

    @Test
    void underALegacyPrimaryTheReceiptsComeFromTheNewSideWhenItWasWritten() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        List<NewRecord> records = fixture.records(2);

        WriteResult sync = fixture.router(RouterFixture.settings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC))
                .write(records, null, Deadline.none());
        WriteResult async = fixture.router(RouterFixture.settings(SecondaryPolicy.QUEUE, SecondaryMode.ASYNC))
                .write(fixture.records(2), null, Deadline.none());

        assertThat(sync.receipts()).allMatch(r -> r.embedded() && r.vectorIndexed());
        assertThat(async.receipts()).allMatch(r -> !r.embedded() && !r.vectorIndexed());
        assertThat(sync.receipts()).extracting(Receipt::id).allMatch(id -> id.version() == 7);
    }

    @Test
    void aWriteRunsUnderOnePhaseWhileThePhaseMovesThroughEveryTransitionAndBack() throws Exception {
        RouterFixture fixture = new RouterFixture(MigrationPhase.LEGACY_ONLY);
        MigrationRouter router = fixture.router(RouterFixture.settings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC));
        Map<UUID, MigrationPhase> acknowledged = new ConcurrentHashMap<>();
        Map<Route, AtomicInteger> routes = new ConcurrentHashMap<>();
        AtomicInteger phaseChangedTwice = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        List<List<NewRecord>> batches = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            batches.add(fixture.records(1 + i % 3));
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            running.add(writers.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < batches.size()) {
                    try {
                        WriteResult result = router.write(batches.get(i), null, Deadline.none());
                        MigrationPhase phase = MigrationPhase.valueOf(result.route().phase());
                        result.receipts().forEach(r -> acknowledged.put(r.id(), phase));
                        routes.computeIfAbsent(result.route(), k -> new AtomicInteger()).incrementAndGet();
                    } catch (PhaseChangedException e) {
                        phaseChangedTwice.incrementAndGet(); // moved twice during one write: nothing stored
                    } finally {
                        answered.incrementAndGet(); // whatever the answer, so the phase mover never waits forever
                    }
                }
                return null;
            }));
        }
        List<MigrationPhase> walk = new ArrayList<>(RouterFixture.LINE);
        walk.addAll(RouterFixture.LINE.reversed().subList(1, 4));
        while (next.get() < batches.size()) {
            for (MigrationPhase phase : walk) {
                fixture.moveTo(phase);
                int seen = answered.get();
                while (answered.get() < Math.min(seen + 5, batches.size())) { // some writes under each phase
                    Thread.onSpinWait();
                }
            }
        }
        for (Future<?> writer : running) {
            writer.get();
        }
        writers.shutdown();

        fixture.checkInvariants(acknowledged);
        fixture.drainQueue();
        acknowledged.forEach((id, phase) -> {
            for (MigrationSide side : MigrationSide.values()) {
                if (phase.writesTo().contains(side)) {
                    assertThat(fixture.on(side)).as("%s, answered under %s, is on %s", id, phase, side).contains(id);
                } else {
                    assertThat(fixture.on(side)).as("%s, answered under %s, is not on %s", id, phase, side)
                            .doesNotContain(id);
                }
            }
        });
        assertThat(routes.keySet().stream().map(Route::phase).distinct()).as("writes ran under every phase")
                .hasSize(MigrationPhase.values().length);
        fixture.checkInvariants(acknowledged);
    }
}
