package io.datastorage.core.store;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link RecordStore#write} and {@link RecordStore#find} promise, for every store: atomic
 * writes, text and numbers kept exactly, idempotent replays and conflicts, one write per key under
 * concurrency, receipts in input order, and the {@link BeforeCommit} hook deciding the "index
 * pending" marks. ({@link RecordStore#list} has its own contract, {@code AuditStoreListingContract}.)
 */
public abstract class RecordStoreContract extends StoreContract {

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
}
