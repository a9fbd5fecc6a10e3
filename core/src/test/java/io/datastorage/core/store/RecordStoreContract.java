package io.datastorage.core.store;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.PhaseChangedException;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.SecondaryWrite;
import io.datastorage.core.migration.SecondaryWriteEntry;
import io.datastorage.core.migration.SecondaryWriteQueue;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link RecordStore#write} and {@link RecordStore#find} promise, for every store: atomic
 * writes, text and numbers kept exactly, idempotent replays and conflicts, one write per key under
 * concurrency, receipts in input order, and the {@link BeforeCommit} hook deciding the "index
 * pending" marks; records under given ids (stored once, a conflict refused), undo, and writes under
 * {@link MigrationTerms} (fenced to the phase version, queueing for the legacy side). ({@link RecordStore#list}
 * has its own contract, {@code AuditStoreListingContract}.)
 */
public abstract class RecordStoreContract extends StoreContract {
    private static final Duration CLAIM = Duration.ofMinutes(1);

    /** The phase store the store's writes under {@link MigrationTerms} are fenced to (of the store {@link #openStore} opened). */
    protected abstract PhaseStore phases();

    /** The queue the store's writes under {@link MigrationTerms} enqueue on (of the store {@link #openStore} opened). */
    protected abstract SecondaryWriteQueue queue();

    /**
     * Returns once {@code thread} waits for a lock; by default a JVM monitor or a
     * {@link java.util.concurrent.locks.LockSupport#park park}. A database-backed store overrides it
     * to look for a lock its server has not granted.
     */
    protected void awaitWaitingForALock(Thread thread) throws InterruptedException {
        while (thread.isAlive() && thread.getState() == Thread.State.RUNNABLE) {
            Thread.sleep(1);
        }
    }

    /** How many records the store holds, by the listing's total. */
    private long stored() {
        return store.records().list(AuditQuery.builder().includeTotal(true).build()).total();
    }

    @Test
    void storesTextVerbatimAndReadsItBack() {
        Map<String, Object> body = AuditFixtures.remediation("用户-τεστ <script>alert(1)</script>", "2026-11-20T12:15:30.123456+01:00");
        body.put("message", "'; DROP TABLE audit_records; -- and my-app-delete-jobs \uD83D\uDE80 \\ \" \n\t");
        body.put("labels", Map.of("team", "<b>sre</b>", "empty", ""));
        body.put("rootCause", "x".repeat(10 * 1024));

        Receipt receipt = write(record(AuditKind.REMEDIATION, body, VECTOR)).getFirst();
        AuditRecord record = store.records().find(AuditKind.REMEDIATION, receipt.id()).orElseThrow();

        assertThat(record.document()).containsExactlyInAnyOrderEntriesOf(body);
        assertThat(record.document().get("createdAt")).isEqualTo("2026-11-20T12:15:30.123456+01:00");
        assertThat(receipt.createdAt()).isEqualTo("2026-11-20T12:15:30.123456+01:00");
        assertThat(record.receivedAt()).isEqualTo(now());
    }

    @Test
    void keepsNumbersExact() {
        Map<String, Object> body = AuditFixtures.valid(AuditKind.AI_ANALYSIS);
        body.put("confidence", new BigDecimal("0.8750"));

        UUID id = write(record(AuditKind.AI_ANALYSIS, body, VECTOR)).getFirst().id();

        assertThat(store.records().find(AuditKind.AI_ANALYSIS, id).orElseThrow().document().get("confidence"))
                .isEqualTo(new BigDecimal("0.8750"));
    }

    @Test
    void firstCreatedAtIsTheOldestOfTheKindAtOrAfterTheBound() {
        write(record(AuditKind.REMEDIATION, AuditFixtures.remediation("a", "2026-11-20T10:00:00.000001Z"), VECTOR));
        write(record(AuditKind.REMEDIATION, AuditFixtures.remediation("b", "2026-11-20T12:00:00+01:00"), VECTOR));
        write(record(AuditKind.REMEDIATION, AuditFixtures.remediation("c", "2026-11-20T11:30:00Z"), VECTOR));

        RecordStore records = store.records();
        assertThat(records.firstCreatedAt(AuditKind.REMEDIATION, Instant.parse("2020-01-01T00:00:00Z")))
                .contains(Instant.parse("2026-11-20T10:00:00.000001Z"));
        assertThat(records.firstCreatedAt(AuditKind.REMEDIATION, Instant.parse("2026-11-20T10:00:00.000001Z")))
                .as("the bound is inclusive").contains(Instant.parse("2026-11-20T10:00:00.000001Z"));
        assertThat(records.firstCreatedAt(AuditKind.REMEDIATION, Instant.parse("2026-11-20T10:00:00.000002Z")))
                .as("an offset is an instant").contains(Instant.parse("2026-11-20T11:00:00Z"));
        assertThat(records.firstCreatedAt(AuditKind.REMEDIATION, Instant.parse("2026-11-20T11:30:00.000001Z"))).isEmpty();
        assertThat(records.firstCreatedAt(AuditKind.WORKFLOW, Instant.parse("2020-01-01T00:00:00Z")))
                .as("scoped to the kind").isEmpty();
    }

    @Test
    void findIsScopedToTheKind() {
        UUID id = write(record("scoped", VECTOR)).getFirst().id();

        assertThat(store.records().find(AuditKind.REMEDIATION, id)).isPresent();
        assertThat(store.records().find(AuditKind.WORKFLOW, id)).isEmpty();
        assertThat(store.records().find(AuditKind.REMEDIATION, UUID.randomUUID())).isEmpty();
    }

    @Test
    void refusesToWriteNothing() {
        assertThatThrownBy(() -> store.records().write(List.of(), null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void returnsReceiptsInTheOrderOfTheRecords() {
        List<NewRecord> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> body = AuditFixtures.remediation("ordered-" + i, "2026-11-20T10:00:0" + (5 - i) + "Z");
            body.put("correlationId", "c-" + i);
            batch.add(record(AuditKind.REMEDIATION, body, i % 2 == 0 ? VECTOR : null));
        }

        List<Receipt> receipts = store.records().write(batch, null).receipts();

        assertThat(receipts).extracting(Receipt::correlationId).containsExactly("c-0", "c-1", "c-2", "c-3", "c-4");
        assertThat(receipts).extracting(Receipt::embedded).containsExactly(true, false, true, false, true);
        assertThat(receipts).extracting(Receipt::id).doesNotHaveDuplicates();
        for (int i = 0; i < receipts.size(); i++) {
            Receipt receipt = receipts.get(i);
            assertThat(receipt.kind()).isEqualTo(AuditKind.REMEDIATION);
            assertThat(receipt.createdAt()).isEqualTo("2026-11-20T10:00:0" + (5 - i) + "Z");
            AuditRecord found = store.records().find(AuditKind.REMEDIATION, receipt.id()).orElseThrow();
            assertThat(found.document().get("name")).isEqualTo("ordered-" + i);
            assertThat(found.embedded()).isEqualTo(receipt.embedded());
        }
    }

    @Test
    void replaysTheFirstResultForTheSameKeyAndFingerprint() {
        List<NewRecord> batch = List.of(record("idem-1", VECTOR), record("idem-2", VECTOR));
        IdempotencyToken token = new IdempotencyToken("key-replay", "fingerprint-a");

        WriteResult first = store.records().write(batch, token);
        WriteResult second = store.records().write(batch, token);

        assertThat(first.replayed()).isFalse();
        assertThat(second.replayed()).isTrue();
        assertThat(second.receipts()).isEqualTo(first.receipts());
        assertThat(stored()).isEqualTo(2);
    }

    @Test
    void rejectsTheSameKeyForAnotherRequest() {
        store.records().write(List.of(record("conflict-1", VECTOR)), new IdempotencyToken("key-conflict", "a"));

        assertThatThrownBy(() -> store.records().write(List.of(record("conflict-2", VECTOR)),
                new IdempotencyToken("key-conflict", "b")))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("key-conflict");
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void concurrentRequestsWithOneKeyWriteOnce() throws Exception {
        IdempotencyToken token = new IdempotencyToken("key-race", "same");
        NewRecord d = record("race", VECTOR);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WriteResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.records().write(List.of(d), token);
                }));
            }
            start.countDown();
            Set<UUID> ids = ConcurrentHashMap.newKeySet();
            int fresh = 0;
            for (Future<WriteResult> r : results) {
                ids.add(r.get().receipts().getFirst().id());
                fresh += r.get().replayed() ? 0 : 1;
            }
            assertThat(ids).hasSize(1);
            assertThat(fresh).isEqualTo(1);
        }
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void twoHundredConcurrentWritersLoseAndDuplicateNothing() throws Exception {
        int writers = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<UUID>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                NewRecord record = record("writer-" + i, VECTOR);
                results.add(pool.submit(() -> {
                    start.await();
                    return store.records().write(List.of(record), null).receipts().getFirst().id();
                }));
            }
            start.countDown();
            Set<UUID> ids = ConcurrentHashMap.newKeySet();
            for (Future<UUID> r : results) {
                ids.add(r.get());
            }
            assertThat(ids).hasSize(writers);
            Set<Object> names = new HashSet<>();
            for (UUID id : ids) {
                names.add(store.records().find(AuditKind.REMEDIATION, id).orElseThrow().document().get("name"));
            }
            assertThat(names).hasSize(writers);
        }
        assertThat(stored()).isEqualTo(writers);
    }

    @Test
    void marksIndexedWhatTheHookIndexedAndPendingTheRest() {
        AtomicReference<List<IndexableRecord>> seen = new AtomicReference<>();
        WriteResult result = store.records().write(List.of(record("a", VECTOR), record("b", VECTOR), record("c", null)),
                null, records -> {
                    seen.set(records);
                    return Set.of(records.getFirst().id());
                });

        List<Receipt> receipts = result.receipts();
        assertThat(seen.get()).as("the hook is given the records with an embedding, in order")
                .extracting(IndexableRecord::id).containsExactly(receipts.get(0).id(), receipts.get(1).id());
        IndexableRecord a = seen.get().getFirst();
        assertThat(a.kind()).isEqualTo(AuditKind.REMEDIATION);
        assertThat(a.embedding()).containsExactly(VECTOR);
        assertThat(a.receivedAt()).isEqualTo(now());
        assertThat(a.toEntry().metadata().checksum()).isEqualTo(a.checksum()).hasSize(64);
        assertThat(receipts).extracting(Receipt::vectorIndexed).containsExactly(true, false, false);
        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(0).id()).orElseThrow().vectorIndexed()).isTrue();
        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(1).id()).orElseThrow().vectorIndexed()).isFalse();
        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(2).id()).orElseThrow().vectorIndexed()).isFalse();
    }

    @Test
    void doesNotRunTheHookWhenNoRecordHasAnEmbedding() {
        AtomicInteger calls = new AtomicInteger();

        List<Receipt> receipts = store.records().write(List.of(record("no-vector", null)), null, records -> {
            calls.incrementAndGet();
            return Set.of();
        }).receipts();

        assertThat(calls).hasValue(0);
        assertThat(receipts.getFirst().embedded()).isFalse();
        assertThat(receipts.getFirst().vectorIndexed()).isFalse();
    }

    @Test
    void aHookThatThrowsRollsTheWholeWriteBack() {
        IdempotencyToken token = new IdempotencyToken("key-rolled-back", "first");
        assertThatThrownBy(() -> store.records().write(List.of(record("x", VECTOR), record("y", null)), token, records -> {
            throw new IllegalStateException("index refused");
        })).hasMessageContaining("index refused");

        assertThat(stored()).isZero();
        WriteResult again = store.records().write(List.of(record("x", VECTOR)), new IdempotencyToken("key-rolled-back", "second"));
        assertThat(again.replayed()).as("the key was not kept either").isFalse();
    }

    @Test
    void aReplayDoesNotRunTheHookAndReturnsTheFirstAnswer() {
        IdempotencyToken token = new IdempotencyToken("key-1", "fingerprint-1");
        AtomicInteger calls = new AtomicInteger();
        WriteResult first = store.records().write(List.of(record("r", VECTOR)), token, records -> {
            calls.incrementAndGet();
            return Set.of(records.getFirst().id());
        });
        WriteResult replay = store.records().write(List.of(record("r", VECTOR)), token, records -> {
            calls.incrementAndGet();
            return Set.of();
        });

        assertThat(calls).hasValue(1);
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.receipts()).isEqualTo(first.receipts());
        assertThat(replay.receipts().getFirst().vectorIndexed()).isTrue();
    }

    private NewRecord given(UUID id, String legacyId, String name, Object confidence, float[] vector) {
        Map<String, Object> body = AuditFixtures.valid(AuditKind.AI_ANALYSIS);
        body.put("name", name);
        body.put("confidence", confidence);
        return record(AuditKind.AI_ANALYSIS, body, vector).withId(id, legacyId);
    }

    private long phaseVersion() {
        return phases().initialiseIfAbsent(MigrationPhase.DUAL_WRITE_NEW_PRIMARY, "test", "set-up").version();
    }

    private List<SecondaryWrite> queued() {
        return queue().claim(SecondaryWriteQueue.MAX_CLAIM, CLAIM).stream().map(SecondaryWriteEntry::write).toList();
    }

    @Test
    void aGivenIdIsStoredUnderItWithItsLegacyId() {
        UUID id = UUID.randomUUID();

        List<Receipt> receipts = store.records().write(List.of(given(id, "LEGACY-7", "given", new BigDecimal("0.5"),
                VECTOR), record("chosen", null)), null).receipts();

        assertThat(receipts.getFirst().id()).isEqualTo(id);
        assertThat(receipts.get(1).id()).isNotEqualTo(id);
        assertThat(store.records().find(AuditKind.AI_ANALYSIS, id).orElseThrow().legacyId()).isEqualTo("LEGACY-7");
        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(1).id()).orElseThrow().legacyId()).isNull();
        assertThat(store.records().list(AuditQuery.builder().build()).items())
                .extracting(AuditRecord::legacyId).containsExactlyInAnyOrder("LEGACY-7", null);
    }

    @Test
    void aGivenIdStoredAlreadyWithTheSameContentIsNotWrittenAgainAndAnswersWhatIsStored() {
        UUID id = UUID.randomUUID();
        store.records().write(List.of(given(id, "L", "same", new BigDecimal("0.5"), VECTOR)), null,
                records -> Set.of(records.getFirst().id()));
        AtomicReference<List<IndexableRecord>> hooked = new AtomicReference<>(List.of());

        List<Receipt> again = store.records().write(List.of(given(id, "L", "same", new BigDecimal("0.50"), null),
                record("fresh", VECTOR)), null, records -> {
            hooked.set(records);
            return Set.of();
        }).receipts();

        assertThat(again.getFirst()).satisfies(receipt -> {
            assertThat(receipt.id()).isEqualTo(id);
            assertThat(receipt.embedded()).as("the stored record's").isTrue();
            assertThat(receipt.vectorIndexed()).as("the stored record's").isTrue();
        });
        assertThat(hooked.get()).as("only the record written is indexed").extracting(IndexableRecord::id)
                .containsExactly(again.get(1).id());
        assertThat(stored()).isEqualTo(2);
        assertThat(store.records().find(AuditKind.AI_ANALYSIS, id).orElseThrow().document().get("confidence"))
                .as("the first copy is kept").isEqualTo(new BigDecimal("0.5"));
    }

    @Test
    void aGivenIdStoredWithOtherContentConflictsAndNothingOfTheWriteIsStored() {
        UUID id = UUID.randomUUID();
        write(given(id, "L", "first", new BigDecimal("0.5"), VECTOR));

        for (NewRecord other : List.of(given(id, "L", "second", new BigDecimal("0.5"), VECTOR),
                given(id, "M", "first", new BigDecimal("0.5"), VECTOR),
                given(id, null, "first", new BigDecimal("0.5"), VECTOR),
                given(id, "L", "first", new BigDecimal("0.51"), VECTOR),
                record("other kind", VECTOR).withId(id, "L"))) {
            assertThatThrownBy(() -> store.records().write(List.of(record("before", VECTOR), other),
                    new IdempotencyToken("key-" + other.hashCode(), "f")))
                    .isInstanceOfSatisfying(RecordConflictException.class, e -> assertThat(e.id()).isEqualTo(id))
                    .hasMessageNotContaining("second");
        }
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void aGivenIdTwiceInOneWriteIsRefused() {
        UUID id = UUID.randomUUID();

        assertThatThrownBy(() -> write(given(id, null, "a", 1, null), given(id, null, "a", 1, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(id.toString());
        assertThat(stored()).isZero();
    }

    @Test
    void concurrentWritesOfOneGivenIdStoreOneRow() throws Exception {
        UUID id = UUID.randomUUID();
        NewRecord record = given(id, "L", "race", new BigDecimal("0.25"), VECTOR);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WriteResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.records().write(List.of(record), null);
                }));
            }
            start.countDown();
            for (Future<WriteResult> result : results) {
                assertThat(result.get().receipts().getFirst().id()).isEqualTo(id);
            }
        }
        assertThat(stored()).isEqualTo(1);
    }

    @Test
    void undoDeletesTheRecordsTheirQueuedWritesAndTheKeyThatHoldsThem() {
        long version = phaseVersion();
        IdempotencyToken token = new IdempotencyToken("key-undo", "first");
        List<Receipt> receipts = store.records().write(List.of(record("a", VECTOR), record("b", null)), token,
                BeforeCommit.NONE, new MigrationTerms(version, true)).receipts();
        Receipt kept = write(record("kept", null)).getFirst();
        queue().enqueue(new SecondaryWrite(receipts.getFirst().id(), AuditKind.REMEDIATION, MigrationSide.NEW, version));

        store.records().undo(receipts, token);
        store.records().undo(receipts, token);

        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(0).id())).isEmpty();
        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(1).id())).isEmpty();
        assertThat(store.records().find(AuditKind.REMEDIATION, kept.id())).isPresent();
        assertThat(queue().backlog().depth()).as("both sides' entries").isZero();
        assertThat(store.records().write(List.of(record("c", null)), new IdempotencyToken("key-undo", "second"))
                .replayed()).as("the key is free again").isFalse();
    }

    @Test
    void undoLeavesAKeyThatHoldsOtherReceiptsAndARecordOfAnotherKind() {
        IdempotencyToken token = new IdempotencyToken("key-undo-other", "first");
        Receipt receipt = store.records().write(List.of(record("a", null)), token).receipts().getFirst();

        Receipt other = write(record("other", null)).getFirst();
        store.records().undo(List.of(new Receipt(receipt.id(), AuditKind.WORKFLOW, receipt.correlationId(),
                receipt.createdAt(), false, false)), null);
        store.records().undo(List.of(other), token);

        assertThat(store.records().find(AuditKind.REMEDIATION, receipt.id())).isPresent();
        assertThat(store.records().write(List.of(record("a", null)), token).replayed()).isTrue();
    }

    @Test
    void aWriteUnderTermsOfAStaleOrAbsentPhaseVersionIsRefusedWithNothingWritten() {
        AtomicInteger hooked = new AtomicInteger();
        BeforeCommit hook = records -> {
            hooked.incrementAndGet();
            return Set.of();
        };
        IdempotencyToken token = new IdempotencyToken("key-fenced", "f");

        assertThatThrownBy(() -> store.records().write(List.of(record("a", VECTOR)), token, hook,
                new MigrationTerms(1, true)))
                .isInstanceOfSatisfying(PhaseChangedException.class, e -> assertThat(e.storedVersion()).isZero());
        long version = phaseVersion();
        phases().change(version, MigrationPhase.NEW_ONLY, "test", "moved on");
        assertThatThrownBy(() -> store.records().write(List.of(record("a", VECTOR)), token, hook,
                new MigrationTerms(version, true)))
                .isInstanceOfSatisfying(PhaseChangedException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(version);
                    assertThat(e.storedVersion()).isEqualTo(version + 1);
                });

        assertThat(hooked).hasValue(0);
        assertThat(stored()).isZero();
        assertThat(queue().backlog().depth()).isZero();
        assertThat(store.records().write(List.of(record("a", VECTOR)), new IdempotencyToken("key-fenced", "g"))
                .replayed()).as("the key was not claimed").isFalse();
    }

    @Test
    void aWriteUnderTermsQueuesOneLegacyWritePerRecordWrittenWithTheVersion() {
        long version = phaseVersion();
        UUID id = UUID.randomUUID();
        IdempotencyToken token = new IdempotencyToken("key-queued", "f");
        List<NewRecord> batch = List.of(record("a", VECTOR), given(id, "L", "given", 1, null));

        List<Receipt> receipts = store.records().write(batch, token, BeforeCommit.NONE,
                new MigrationTerms(version, true)).receipts();

        List<SecondaryWrite> queued = queued();
        assertThat(queued).containsExactlyInAnyOrder(
                new SecondaryWrite(receipts.get(0).id(), AuditKind.REMEDIATION, MigrationSide.LEGACY, version),
                new SecondaryWrite(id, AuditKind.AI_ANALYSIS, MigrationSide.LEGACY, version));
        queue().discard(queued);

        assertThat(store.records().write(batch, token, BeforeCommit.NONE, new MigrationTerms(version, true)).replayed())
                .isTrue();
        assertThat(queue().backlog().depth()).as("a replay queues nothing").isZero();
        store.records().write(List.of(given(id, "L", "given", 1, null)), null, BeforeCommit.NONE,
                new MigrationTerms(version, true));
        assertThat(queue().backlog().depth()).as("nor does a given id stored already").isZero();
        store.records().write(List.of(record("b", null)), null, BeforeCommit.NONE, new MigrationTerms(version, false));
        assertThat(queue().backlog().depth()).as("nor a write that is not asked to").isZero();
        assertThat(stored()).isEqualTo(3);
    }

    @Test
    void aPhaseChangeWaitsForAWriteUnderTermsInFlight() throws Exception {
        long version = phaseVersion();
        CountDownLatch inHook = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FutureTask<WriteResult> writing = new FutureTask<>(() -> store.records().write(List.of(record("w", VECTOR)),
                null, records -> {
                    inHook.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return Set.of();
                }, new MigrationTerms(version, true)));
        FutureTask<PhaseState> changing = new FutureTask<>(
                () -> phases().change(version, MigrationPhase.NEW_ONLY, "test", "during a write"));
        Thread writer = Thread.ofPlatform().start(writing);
        inHook.await();
        Thread changer = Thread.ofPlatform().start(changing);

        awaitWaitingForALock(changer);
        assertThat(changing.isDone()).as("the change waits for the write").isFalse();
        release.countDown();

        assertThat(writing.get().receipts()).hasSize(1);
        assertThat(changing.get().version()).isEqualTo(version + 1);
        writer.join();
        changer.join();
        assertThat(stored()).isEqualTo(1);
        assertThatThrownBy(() -> store.records().write(List.of(record("late", VECTOR)), null, BeforeCommit.NONE,
                new MigrationTerms(version, true))).isInstanceOf(PhaseChangedException.class);
    }
}
