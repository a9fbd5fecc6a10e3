package io.datastorage.core.dualwrite;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.DualWriteCoordinator.Mode;
import io.datastorage.core.dualwrite.DualWriteListener.FailureReason;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.InMemoryAuditStore.Fault;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The reference design's dual-write scenarios, for one index backend (extend and say how to make
 * one) in both modes. After every test: each committed record is indexed or marked pending, and
 * the index holds no id the store lacks.
 */
public abstract class DualWriteCoordinatorContract {
    protected static final int DIMENSION = 8;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private final InMemoryAuditStore store = new InMemoryAuditStore(CLOCK);
    private final Queue<FailureReason> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger fallbacks = new AtomicInteger();
    private final AtomicInteger successes = new AtomicInteger();
    /** Makes every listener call throw after it recorded what it was told. */
    private volatile boolean listenerThrows;
    private final Random random = new Random(7);
    private SwitchableIndex index;

    protected abstract VectorIndex newIndex(int dimension);

    private DualWriteCoordinator coordinator(Mode mode) {
        if (index == null) {
            index = new SwitchableIndex(newIndex(DIMENSION));
        }
        return new DualWriteCoordinator(store, GuardedIndex.of(index, 2, Duration.ofMillis(1), Duration.ofMinutes(1)),
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
        WriteResult result = DualWriteCoordinator.storeOnly(store, listener())
                .write(List.of(record("a"), record("b")), null, Deadline.none());

        assertThat(result.receipts()).hasSize(2).extracting(Receipt::vectorIndexed).containsOnly(false);
        assertThat(result.receipts()).allSatisfy(receipt -> assertThat(store.indexPending(receipt.id())).isTrue());
        assertThat(fallbacks).hasValue(0);
        assertThat(failures).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void storeOnlyStoresNothingPastTheDeadline() {
        Deadline passed = Deadline.at(CLOCK.instant().minusSeconds(1), CLOCK);

        assertThatThrownBy(() -> DualWriteCoordinator.storeOnly(store, listener())
                .write(List.of(record("x")), null, passed)).isInstanceOf(DeadlineExceededException.class);
        assertThat(store.countPendingIndex()).isZero();
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
            assertThat(store.find(AuditKind.REMEDIATION, receipt.id())).get()
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
}
