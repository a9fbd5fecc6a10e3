package io.datastorage.core.dualwrite;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.DualWriteCoordinator.Mode;
import io.datastorage.core.dualwrite.DualWriteListener.FailureReason;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The reference design's dual-write scenarios, for one index backend (extend and say how to make
 * one) and one store (the in-memory one unless {@link #newStore} says otherwise), in both modes
 * and both {@linkplain WriteOrder write orders}. After every test: each committed record is
 * indexed or marked pending, and the index holds no id the store lacks.
 */
public abstract class DualWriteCoordinatorContract {
    protected static final int DIMENSION = 8;
    /** The store's clock: records are created a little before it. */
    protected static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    /**
     * Where the store fails a write, injected around any store: BEGIN (before it starts), INSERT
     * (in its transaction, before the dual-write's hook) and COMMIT (after the hook) as the store's
     * own {@link StoreUnavailableException}; DEFECT after the hook with an exception that is not the
     * store's way of failing; COMMIT_OUTCOME_UNKNOWN lets the write commit, then throws
     * {@link CommitOutcomeUnknownException}, as when the database made the commit durable and died
     * before it could answer.
     */
    public enum Fault { NONE, BEGIN, INSERT, COMMIT, DEFECT, COMMIT_OUTCOME_UNKNOWN }

    /** The store a run writes to, and what the scenarios read of it besides its API. */
    protected interface StoreUnderTest extends AutoCloseable {
        AuditStore store();

        /** Every stored id. */
        Set<UUID> ids();

        /** Whether the stored record is marked "index pending". */
        boolean indexPending(UUID id);

        @Override
        default void close() {
        }
    }

    private final FaultyStore store = new FaultyStore(newStore());
    private final Queue<FailureReason> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger fallbacks = new AtomicInteger();
    private final AtomicInteger successes = new AtomicInteger();
    /** Makes every listener call throw after it recorded what it was told. */
    private volatile boolean listenerThrows;
    private final Random random = new Random(7);
    private SwitchableIndex index;

    protected abstract VectorIndex newIndex(int dimension);

    /** A new, empty store on {@link #CLOCK}; closed after the test. Called once per test, while it is built. */
    protected StoreUnderTest newStore() {
        InMemoryAuditStore inMemory = new InMemoryAuditStore(CLOCK);
        return new StoreUnderTest() {
            @Override
            public AuditStore store() {
                return inMemory;
            }

            @Override
            public Set<UUID> ids() {
                return inMemory.ids();
            }

            @Override
            public boolean indexPending(UUID id) {
                return inMemory.indexPending(id);
            }
        };
    }

    /** The store under test behind a switch of {@link Fault}s. */
    private static final class FaultyStore {
        private final StoreUnderTest under;
        private final AuditStore faulty;
        private volatile Fault fault = Fault.NONE;

        FaultyStore(StoreUnderTest under) {
            this.under = under;
            this.faulty = (AuditStore) Proxy.newProxyInstance(AuditStore.class.getClassLoader(),
                    new Class<?>[] {AuditStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("write") && args.length == 3) {
                            @SuppressWarnings("unchecked")
                            List<NewRecord> records = (List<NewRecord>) args[0];
                            return write(records, (IdempotencyToken) args[1], (BeforeCommit) args[2]);
                        }
                        try {
                            return method.invoke(under.store(), args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        private WriteResult write(List<NewRecord> records, IdempotencyToken token, BeforeCommit beforeCommit) {
            Fault now = fault;
            if (now == Fault.BEGIN) {
                throw new StoreUnavailableException("begin failed (injected)", null);
            }
            WriteResult result = under.store().write(records, token, indexable -> {
                if (now == Fault.INSERT) {
                    throw new StoreUnavailableException("insert failed (injected)", null);
                }
                Set<UUID> indexed = beforeCommit.beforeCommit(indexable);
                if (now == Fault.COMMIT) {
                    throw new StoreUnavailableException("commit failed (injected)", null);
                }
                if (now == Fault.DEFECT) {
                    throw new IllegalStateException("defect (injected)");
                }
                return indexed;
            });
            if (now == Fault.COMMIT_OUTCOME_UNKNOWN && !result.replayed()) {
                throw new CommitOutcomeUnknownException("connection lost during the commit (injected)", null);
            }
            return result;
        }

        void fault(Fault next) {
            fault = next;
        }

        /** The store, failing as {@link #fault} says. */
        AuditStore audit() {
            return faulty;
        }

        /** The store itself, for what the scenarios check and the repair does. */
        AuditStore real() {
            return under.store();
        }

        Set<UUID> ids() {
            return under.ids();
        }

        boolean indexPending(UUID id) {
            return under.indexPending(id);
        }
    }

    private DualWriteCoordinator coordinator(Mode mode) {
        return coordinator(mode, store.audit());
    }

    private DualWriteCoordinator coordinator(Mode mode, AuditStore over) {
        if (index == null) {
            index = new SwitchableIndex(newIndex(DIMENSION));
        }
        return new DualWriteCoordinator(over, GuardedIndex.of(index, 2, Duration.ofMillis(1), Duration.ofMinutes(1)),
                mode, listener());
    }

    private DualWriteListener listener() {
        return new DualWriteListener() {
            @Override
            public void succeeded(int records) {
                successes.addAndGet(records);
                throwIfAsked();
            }

            @Override
            public void failed(FailureReason reason) {
                failures.add(reason);
                throwIfAsked();
            }

            @Override
            public void fellBack(int records) {
                fallbacks.addAndGet(records);
                throwIfAsked();
            }
        };
    }

    private void throwIfAsked() {
        if (listenerThrows) {
            throw new IllegalStateException("metric failed (injected)");
        }
    }

    private synchronized float[] vector() {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private NewRecord record(String name) {
        return new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION, AuditFixtures.remediation(name, "2026-11-20T10:00:00Z")),
                vector());
    }

    /** Each committed record is indexed or pending; the index holds nothing the store lacks. */
    @AfterEach
    void invariantHolds() {
        try (StoreUnderTest closing = store.under) {
            if (index == null) {
                return;
            }
            index.down(false);
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
                Set<UUID> indexed = new HashSet<>();
                UUID after = null;
                for (List<UUID> page = index.ids(null, 100); !page.isEmpty(); page = index.ids(after, 100)) {
                    indexed.addAll(page);
                    after = page.getLast();
                }
                assertThat(store.ids()).containsAll(indexed);
                for (UUID id : store.ids()) {
                    assertThat(indexed.contains(id) || store.indexPending(id)).as("record %s indexed or pending", id).isTrue();
                }
            });
            index.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void writesBothStoresUnderTheSameId(Mode mode) {
        WriteResult result = coordinator(mode).write(List.of(record("a"), record("b")), null, Deadline.none());

        assertThat(result.receipts()).extracting(Receipt::vectorIndexed).containsOnly(true);
        for (Receipt receipt : result.receipts()) {
            assertThat(store.indexPending(receipt.id())).isFalse();
            await().atMost(Duration.ofSeconds(1)).until(() -> index.get(receipt.id()).isPresent());
        }
        assertThat(successes).hasValue(2);
        assertThat(failures).isEmpty();
    }

    /** {@code datastorage.index.type=none}: no index, so nothing failed and nothing fell back. */
    @org.junit.jupiter.api.Test
    void storeOnlyStoresEveryRecordWithItsIndexingPendingAndReportsNoFallback() {
        WriteResult result = DualWriteCoordinator.storeOnly(store.audit(), listener())
                .write(List.of(record("a"), record("b")), null, Deadline.none());

        assertThat(result.receipts()).hasSize(2).extracting(Receipt::vectorIndexed).containsOnly(false);
        assertThat(result.receipts()).allSatisfy(receipt -> assertThat(store.indexPending(receipt.id())).isTrue());
        assertThat(fallbacks).hasValue(0);
        assertThat(failures).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void storeOnlyStoresNothingPastTheDeadline() {
        Deadline passed = Deadline.at(CLOCK.instant().minusSeconds(1), CLOCK);

        assertThatThrownBy(() -> DualWriteCoordinator.storeOnly(store.audit(), listener())
                .write(List.of(record("x")), null, passed)).isInstanceOf(DeadlineExceededException.class);
        assertThat(store.real().countPendingIndex()).isZero();
        assertThat(failures).containsExactly(FailureReason.CONTEXT_CANCELED);
    }

    @ParameterizedTest(name = "{0}, {1} fails")
    @CsvSource({"FALLBACK, BEGIN", "FALLBACK, INSERT", "STRICT, BEGIN", "STRICT, INSERT"})
    void rollsBackWhenBeginOrInsertFailsWithoutCallingTheIndex(Mode mode, Fault fault) {
        DualWriteCoordinator coordinator = coordinator(mode);
        store.fault(fault);

        assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, Deadline.none()))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(index.upserts()).isZero();
        assertThat(store.ids()).isEmpty();
        assertThat(failures).containsExactly(FailureReason.POSTGRESQL_FAILURE);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aCommitFailureAfterTheUpsertLeavesNoOrphan(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        store.fault(Fault.COMMIT);

        assertThatThrownBy(() -> coordinator.write(List.of(record("x"), record("y")), null, Deadline.none()))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(index.upserts()).isEqualTo(1);
        assertThat(store.ids()).isEmpty();
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(index.count()).isZero());
        assertThat(failures).as("the store refused the write after the upsert: still PostgreSQL's failure")
                .containsExactly(FailureReason.POSTGRESQL_FAILURE);
    }

    /**
     * A connection that broke during the commit leaves the outcome unknown; the database may have
     * made it durable (the database-crash fault test met exactly this). Deleting the vectors then
     * would leave committed records missing from the index until a reconciliation, so they stay;
     * if the commit did not land, the reconciler removes them as orphans.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aCommitWhoseOutcomeIsUnknownKeepsItsVectors(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        store.fault(Fault.COMMIT_OUTCOME_UNKNOWN);

        assertThatThrownBy(() -> coordinator.write(List.of(record("x"), record("y")), null, Deadline.none()))
                .isInstanceOf(CommitOutcomeUnknownException.class);

        assertThat(store.ids()).hasSize(2);
        for (UUID id : store.ids()) {
            assertThat(store.indexPending(id)).isFalse();
            await().atMost(Duration.ofSeconds(1)).until(() -> index.get(id).isPresent());
        }
        assertThat(failures).containsExactly(FailureReason.POSTGRESQL_FAILURE);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anUnexpectedErrorInsideTheTransactionCountsAsARollbackAndLeavesNoOrphan(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        store.fault(Fault.DEFECT);

        assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, Deadline.none()))
                .isInstanceOf(IllegalStateException.class);

        assertThat(store.ids()).isEmpty();
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(index.count()).isZero());
        assertThat(failures).containsExactly(FailureReason.TRANSACTION_ROLLBACK);
    }

    /** Issue 12: a success listener that threw after the commit deleted the vectors and answered an error. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aThrowingListenerLeavesTheCommittedRecordReadableWithItsVector(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        listenerThrows = true;

        WriteResult result = coordinator.write(List.of(record("a"), record("b")), null, Deadline.none());

        assertThat(successes).as("the listener was told").hasValue(2);
        assertThat(result.receipts()).hasSize(2).extracting(Receipt::vectorIndexed).containsOnly(true);
        for (Receipt receipt : result.receipts()) {
            assertThat(store.real().find(AuditKind.REMEDIATION, receipt.id())).get()
                    .satisfies(r -> assertThat(r.vectorIndexed()).isTrue());
            assertThat(store.indexPending(receipt.id())).isFalse();
            await().atMost(Duration.ofSeconds(1)).until(() -> index.get(receipt.id()).isPresent());
        }
        assertThat(failures).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aThrowingListenerChangesNeitherAFallbackNorAStrictRejection(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        listenerThrows = true;
        index.down(true);

        if (mode == Mode.STRICT) {
            assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, Deadline.none()))
                    .isInstanceOf(IndexWriteRejectedException.class);
            assertThat(store.ids()).isEmpty();
        } else {
            Receipt receipt = coordinator.write(List.of(record("x")), null, Deadline.none()).receipts().getFirst();
            assertThat(receipt.vectorIndexed()).isFalse();
            assertThat(store.indexPending(receipt.id())).isTrue();
            assertThat(fallbacks).hasValue(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aThrowingListenerDoesNotReplaceTheStoresFailure(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        listenerThrows = true;
        store.fault(Fault.COMMIT);

        assertThatThrownBy(() -> coordinator.write(List.of(record("y")), null, Deadline.none()))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(store.ids()).isEmpty();
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(index.count()).isZero());
        assertThat(failures).containsExactly(FailureReason.POSTGRESQL_FAILURE);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aPostgresqlFailureNeverFallsBack(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        store.fault(Fault.INSERT);
        index.down(true);

        assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, Deadline.none()))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(store.ids()).isEmpty();
        assertThat(fallbacks).hasValue(0);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void anIndexFailureRollsBackInStrictModeAndFallsBackOtherwise(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        index.down(true);

        if (mode == Mode.STRICT) {
            assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, Deadline.none()))
                    .isInstanceOf(IndexWriteRejectedException.class);
            assertThat(store.ids()).isEmpty();
            assertThat(failures).containsExactly(FailureReason.VECTORDB_FAILURE);
        } else {
            WriteResult result = coordinator.write(List.of(record("x")), null, Deadline.none());
            Receipt receipt = result.receipts().getFirst();
            assertThat(receipt.vectorIndexed()).isFalse();
            assertThat(store.indexPending(receipt.id())).isTrue();
            assertThat(fallbacks).hasValue(1);
            assertThat(failures).isEmpty();
        }
        assertThat(index.upserts()).as("retried").isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aCancelledOrExpiredRequestPersistsNothing(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        Deadline cancelled = Deadline.none();
        cancelled.cancel();
        assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, cancelled))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(index.upserts()).isZero();

        Deadline expiresDuringUpsert = Deadline.none();
        index.duringUpsert(expiresDuringUpsert::cancel);
        assertThatThrownBy(() -> coordinator.write(List.of(record("y")), null, expiresDuringUpsert))
                .isInstanceOf(DeadlineExceededException.class);
        index.duringUpsert(() -> { });

        assertThat(store.ids()).isEmpty();
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(index.count()).isZero());
        assertThat(failures).containsExactly(FailureReason.CONTEXT_CANCELED, FailureReason.CONTEXT_CANCELED);
        assertThat(Deadline.at(CLOCK.instant(), CLOCK).expired()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void refusesMissingRecordsAndWrongDimensionsBeforeAnyWrite(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        NewRecord shortVector = new NewRecord(record("s").draft(), new float[DIMENSION - 1]);
        List<NewRecord> withNull = new ArrayList<>();
        withNull.add(null);

        assertThatThrownBy(() -> coordinator.write(List.of(), null, Deadline.none())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> coordinator.write(withNull, null, Deadline.none())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> coordinator.write(List.of(record("ok"), shortVector), null, Deadline.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(DIMENSION - 1 + " dimensions");

        assertThat(index.upserts()).isZero();
        assertThat(store.ids()).isEmpty();
        assertThat(failures).containsOnly(FailureReason.VALIDATION_FAILURE).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRecordWithoutItsEmbeddingIsStoredPendingAndNotIndexed(Mode mode) {
        NewRecord pending = new NewRecord(record("p").draft(), null);

        Receipt receipt = coordinator(mode).write(List.of(pending), null, Deadline.none()).receipts().getFirst();

        assertThat(receipt.embedded()).isFalse();
        assertThat(receipt.vectorIndexed()).isFalse();
        assertThat(store.indexPending(receipt.id())).isTrue();
        assertThat(index.upserts()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aReplayWritesNothingTwice(Mode mode) {
        DualWriteCoordinator coordinator = coordinator(mode);
        IdempotencyToken token = new IdempotencyToken("k", "f");
        WriteResult first = coordinator.write(List.of(record("r")), token, Deadline.none());
        WriteResult replay = coordinator.write(List.of(record("r")), token, Deadline.none());

        assertThat(replay.replayed()).isTrue();
        assertThat(replay.receipts()).isEqualTo(first.receipts());
        assertThat(index.upserts()).isEqualTo(1);
        assertThat(store.ids()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void concurrentWritersRaceNothing(Mode mode) throws Exception {
        DualWriteCoordinator coordinator = coordinator(mode);
        Map<UUID, Boolean> written = new ConcurrentHashMap<>();
        try (ExecutorService writers = Executors.newFixedThreadPool(12)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 12; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        if (writer == 0 && i == 5) {
                            index.down(true); // a window of index failures in the middle of the load
                        }
                        if (writer == 0 && i == 10) {
                            index.down(false);
                        }
                        try {
                            coordinator.write(List.of(record("w" + writer + "-" + i)), null, Deadline.none())
                                    .receipts().forEach(r -> written.put(r.id(), r.vectorIndexed()));
                        } catch (IndexWriteRejectedException e) {
                            // strict mode during the window: rejected, nothing stored
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertThat(store.ids()).isEqualTo(written.keySet());
        written.forEach((id, indexed) -> assertThat(store.indexPending(id)).isEqualTo(!indexed));
    }

    // --- Write order commit-then-index (fallback mode only): the records commit marked, the
    // vectors are upserted with no connection held, a second short transaction clears the marks.

    private DualWriteCoordinator commitThenIndex(AuditStore over) {
        return coordinator(Mode.FALLBACK, over).withWriteOrder(WriteOrder.COMMIT_THEN_INDEX, over);
    }

    /** What the index repair worker does: index the marked records, then clear their marks. */
    private void repair() {
        List<IndexableRecord> pending = store.real().pendingIndex(1000);
        if (!pending.isEmpty()) {
            index.upsert(pending.stream().map(IndexableRecord::toEntry).toList());
            store.real().completeIndex(pending);
        }
    }

    /** A step of the write that can be intercepted: the store's own call is {@code proceed}. */
    @FunctionalInterface
    private interface Interception {
        Object around(Callable<Object> proceed) throws Exception;
    }

    /** The store, with every call of {@code method} going through {@code interception}. */
    private AuditStore storeIntercepting(String method, Interception interception) {
        return (AuditStore) Proxy.newProxyInstance(AuditStore.class.getClassLoader(), new Class<?>[] {AuditStore.class},
                (proxy, m, args) -> {
                    Callable<Object> proceed = () -> {
                        try {
                            return m.invoke(store.audit(), args);
                        } catch (InvocationTargetException e) {
                            throw (Exception) e.getCause();
                        }
                    };
                    return m.getName().equals(method) ? interception.around(proceed) : proceed.call();
                });
    }

    private void assertIndexedWithItsFingerprintKept(UUID id) {
        assertThat(store.indexPending(id)).isFalse();
        await().atMost(Duration.ofSeconds(1)).until(() -> index.get(id).isPresent());
        long entry = SliceDigest.fingerprint(index.get(id).orElseThrow().metadata().checksum());
        assertThat(store.real().vectorFingerprints(IdSlices.sliceOf(id, 1), 1)).containsEntry(id, entry);
    }

    @Test
    void commitThenIndexClearsTheMarksOnceTheVectorsAreIndexed() {
        WriteResult result = commitThenIndex(store.audit()).write(List.of(record("a"), record("b")), null, Deadline.none());

        assertThat(result.receipts()).hasSize(2).extracting(Receipt::vectorIndexed).containsOnly(true);
        result.receipts().forEach(receipt -> assertIndexedWithItsFingerprintKept(receipt.id()));
        assertThat(index.upserts()).isEqualTo(1);
        assertThat(successes).hasValue(2);
        assertThat(fallbacks).hasValue(0);
        assertThat(failures).isEmpty();
    }

    @Test
    void commitThenIndexCommitsPendingWhileTheIndexIsDownAndTheRepairIndexesThem() {
        DualWriteCoordinator coordinator = commitThenIndex(store.audit());
        index.down(true);

        Receipt receipt = coordinator.write(List.of(record("x")), null, Deadline.none()).receipts().getFirst();

        assertThat(receipt.vectorIndexed()).isFalse();
        assertThat(store.indexPending(receipt.id())).isTrue();
        assertThat(index.upserts()).as("retried").isEqualTo(2);
        assertThat(fallbacks).hasValue(1);
        assertThat(failures).isEmpty();

        index.down(false);
        repair();
        assertIndexedWithItsFingerprintKept(receipt.id());
    }

    @Test
    void commitThenIndexConvergesWhenClearingTheMarksFails() {
        AtomicBoolean clearingFails = new AtomicBoolean(true);
        DualWriteCoordinator coordinator = commitThenIndex(storeIntercepting("completeIndex", proceed -> {
            if (clearingFails.get()) {
                throw new StoreUnavailableException("clearing the marks failed (injected)", null);
            }
            return proceed.call();
        }));

        Receipt receipt = coordinator.write(List.of(record("x")), null, Deadline.none()).receipts().getFirst();

        assertThat(receipt.vectorIndexed()).as("the answer says what the record says").isFalse();
        assertThat(store.indexPending(receipt.id())).isTrue();
        await().atMost(Duration.ofSeconds(1)).until(() -> index.get(receipt.id()).isPresent());
        assertThat(fallbacks).hasValue(1);
        assertThat(failures).isEmpty();

        repair();
        assertIndexedWithItsFingerprintKept(receipt.id());
        assertThat(index.upserts()).as("the repair upserted it again").isEqualTo(2);
        index.refresh();
        assertThat(index.count()).as("still one entry").isEqualTo(1);
    }

    @Test
    void commitThenIndexNeverAnswersACommittedWriteAsFailedWhenItsDeadlinePasses() {
        Deadline passesAtTheCommit = Deadline.none();
        DualWriteCoordinator coordinator = commitThenIndex(storeIntercepting("write", proceed -> {
            Object committed = proceed.call();
            passesAtTheCommit.cancel();
            return committed;
        }));

        Receipt skipped = coordinator.write(List.of(record("x")), null, passesAtTheCommit).receipts().getFirst();

        assertThat(skipped.vectorIndexed()).isFalse();
        assertThat(store.indexPending(skipped.id())).isTrue();
        assertThat(index.upserts()).as("indexing skipped").isZero();

        Deadline passesDuringTheUpsert = Deadline.none();
        index.duringUpsert(passesDuringTheUpsert::cancel);
        Receipt indexed = commitThenIndex(store.audit()).write(List.of(record("y")), null, passesDuringTheUpsert)
                .receipts().getFirst();
        index.duringUpsert(() -> { });

        assertThat(indexed.vectorIndexed()).as("the upsert landed; its marks are cleared").isTrue();
        assertThat(failures).isEmpty();
        repair();
        assertIndexedWithItsFingerprintKept(skipped.id());
        assertIndexedWithItsFingerprintKept(indexed.id());
    }

    @Test
    void commitThenIndexPersistsNothingWhenTheDeadlinePassesBeforeTheCommit() {
        Deadline cancelled = Deadline.none();
        cancelled.cancel();
        assertThatThrownBy(() -> commitThenIndex(store.audit()).write(List.of(record("x")), null, cancelled))
                .isInstanceOf(DeadlineExceededException.class);

        Deadline passesInTheTransaction = Deadline.none();
        DualWriteCoordinator coordinator = commitThenIndex(storeIntercepting("write", proceed -> {
            passesInTheTransaction.cancel();
            return proceed.call();
        }));
        assertThatThrownBy(() -> coordinator.write(List.of(record("y")), null, passesInTheTransaction))
                .isInstanceOf(DeadlineExceededException.class);

        assertThat(store.ids()).isEmpty();
        assertThat(index.upserts()).isZero();
        assertThat(failures).containsExactly(FailureReason.CONTEXT_CANCELED, FailureReason.CONTEXT_CANCELED);
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"BEGIN", "INSERT", "COMMIT"})
    void commitThenIndexStoresNothingAndCallsNoIndexWhenTheStoreFails(Fault fault) {
        DualWriteCoordinator coordinator = commitThenIndex(store.audit());
        store.fault(fault);

        assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, Deadline.none()))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(store.ids()).isEmpty();
        assertThat(index.upserts()).isZero();
        assertThat(failures).containsExactly(FailureReason.POSTGRESQL_FAILURE);
    }

    /** A commit that may have landed has left its records marked, and the repair indexes them. */
    @Test
    void commitThenIndexLeavesACommitWhoseOutcomeIsUnknownToTheRepair() {
        DualWriteCoordinator coordinator = commitThenIndex(store.audit());
        store.fault(Fault.COMMIT_OUTCOME_UNKNOWN);

        assertThatThrownBy(() -> coordinator.write(List.of(record("x")), null, Deadline.none()))
                .isInstanceOf(CommitOutcomeUnknownException.class);

        assertThat(store.ids()).hasSize(1).allSatisfy(id -> assertThat(store.indexPending(id)).isTrue());
        assertThat(index.upserts()).isZero();
        assertThat(failures).containsExactly(FailureReason.POSTGRESQL_FAILURE);
        repair();
        store.ids().forEach(this::assertIndexedWithItsFingerprintKept);
    }

    /**
     * The receipts kept with the key are the commit's, every record still marked; a replay says
     * what the records say now, so never {@code false} where the first answer said {@code true}.
     */
    @Test
    void commitThenIndexReplaysWhatTheFirstAnswerSaidUntilTheRepairIndexesMore() {
        DualWriteCoordinator coordinator = commitThenIndex(store.audit());
        IdempotencyToken indexedKey = new IdempotencyToken("indexed", "f");
        WriteResult first = coordinator.write(List.of(record("r"), new NewRecord(record("p").draft(), null)),
                indexedKey, Deadline.none());
        WriteResult replay = coordinator.write(List.of(record("r")), indexedKey, Deadline.none());

        assertThat(first.receipts()).extracting(Receipt::vectorIndexed).containsExactly(true, false);
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.receipts()).isEqualTo(first.receipts());
        assertThat(index.upserts()).isEqualTo(1);

        index.down(true);
        IdempotencyToken pendingKey = new IdempotencyToken("pending", "f");
        WriteResult fellBack = coordinator.write(List.of(record("s")), pendingKey, Deadline.none());
        index.down(false);
        assertThat(coordinator.write(List.of(record("s")), pendingKey, Deadline.none()).receipts())
                .isEqualTo(fellBack.receipts());
        repair();
        assertThat(coordinator.write(List.of(record("s")), pendingKey, Deadline.none()).receipts())
                .extracting(Receipt::vectorIndexed).containsExactly(true);
        assertThat(store.ids()).hasSize(3);
    }

    @Test
    void commitThenIndexKeepsEveryCommittedRecordIndexedOrPendingUnderConcurrentWriters() throws Exception {
        DualWriteCoordinator coordinator = commitThenIndex(store.audit());
        Map<UUID, Boolean> written = new ConcurrentHashMap<>();
        try (ExecutorService writers = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int writer = w;
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        if (writer == 0) {
                            index.down(i >= 5 && i < 10); // a window of index failures in the middle of the load
                        }
                        coordinator.write(List.of(record("w" + writer + "-" + i)), null, Deadline.none())
                                .receipts().forEach(r -> written.put(r.id(), r.vectorIndexed()));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertThat(store.ids()).isEqualTo(written.keySet());
        written.forEach((id, indexed) -> assertThat(store.indexPending(id)).isEqualTo(!indexed));
        assertThat(failures).isEmpty();
    }

    @Test
    void strictModeRefusesCommitThenIndexAndAutoKeepsItInTheTransaction() {
        DualWriteCoordinator strict = coordinator(Mode.STRICT);

        assertThatThrownBy(() -> strict.withWriteOrder(WriteOrder.COMMIT_THEN_INDEX, store.audit()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("write-order must be auto or in-transaction when the index mode is strict (strict stores "
                        + "a record only with its vector, so the vector must be indexed before the commit), "
                        + "was commit-then-index");

        VectorIndex remote = (VectorIndex) Proxy.newProxyInstance(VectorIndex.class.getClassLoader(),
                new Class<?>[] {VectorIndex.class}, (proxy, m, args) -> m.getName().equals("remote") ? true : null);
        assertThat(WriteOrder.AUTO.resolve(remote, Mode.STRICT)).isEqualTo(WriteOrder.IN_TRANSACTION);
        assertThat(WriteOrder.AUTO.resolve(remote, Mode.FALLBACK)).isEqualTo(WriteOrder.COMMIT_THEN_INDEX);
        assertThat(strict.withWriteOrder(WriteOrder.AUTO, store.audit()).writeOrder()).isEqualTo(WriteOrder.IN_TRANSACTION);
        assertThat(coordinator(Mode.FALLBACK).withWriteOrder(WriteOrder.AUTO, store.audit()).writeOrder())
                .as("this index runs in the process").isEqualTo(WriteOrder.IN_TRANSACTION);
        assertThat(coordinator(Mode.FALLBACK).writeOrder()).isEqualTo(WriteOrder.IN_TRANSACTION);
    }
}
