package io.datastorage.core.store;

import io.datastorage.core.index.IdSlices;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link IndexBacklog} promises, for every store: what the write's hook did not index waits,
 * oldest received first, until the repair marks it indexed, once; the backlog counts the records
 * still waiting for their embedding too, and says how long the oldest has waited.
 */
public abstract class IndexBacklogContract extends StoreContract {

    @Test
    void holdsWhatTheHookDidNotIndex() {
        List<Receipt> receipts = write(i -> i == 0, record("a", VECTOR), record("b", VECTOR), record("c", null));

        assertThat(store.indexBacklog().countPendingIndex()).isEqualTo(2);
        assertThat(store.indexBacklog().pendingIndex(10)).as("the record without an embedding waits for it first")
                .extracting(IndexableRecord::id).containsExactly(receipts.get(1).id());
    }

    @Test
    void aWriteRolledBackLeavesNothingPending() {
        assertThatThrownBy(() -> store.records().write(List.of(record("x", VECTOR)), null, records -> {
            throw new IllegalStateException("index refused");
        })).hasMessageContaining("index refused");

        assertThat(store.indexBacklog().countPendingIndex()).isZero();
        assertThat(store.indexBacklog().pendingIndex(10)).isEmpty();
        assertThat(store.indexBacklog().oldestPendingIndex()).isEmpty();
    }

    @Test
    void listsPendingRecordsOldestReceivedFirstThenById() {
        List<UUID> expected = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Receipt> receipts = write(record("p" + i + "a", VECTOR), record("p" + i + "b", VECTOR), record("p" + i + "c", VECTOR));
            receipts.stream().map(Receipt::id).sorted(ID_ORDER).forEach(expected::add);
            later();
        }

        assertThat(store.indexBacklog().pendingIndex(100)).extracting(IndexableRecord::id).containsExactlyElementsOf(expected);
        assertThat(store.indexBacklog().pendingIndex(4)).extracting(IndexableRecord::id)
                .containsExactlyElementsOf(expected.subList(0, 4));
    }

    @Test
    void completesMarksOnce() {
        for (int i = 0; i < 5; i++) {
            write(record("p" + i, VECTOR));
            later();
        }
        List<IndexableRecord> pending = store.indexBacklog().pendingIndex(3);
        assertThat(pending).hasSize(3);

        assertThat(store.indexBacklog().completeIndex(pending)).isEqualTo(3);
        assertThat(store.indexBacklog().completeIndex(pending)).as("already complete").isZero();
        assertThat(store.indexBacklog().countPendingIndex()).isEqualTo(2);
        assertThat(store.indexBacklog().pendingIndex(10)).extracting(IndexableRecord::id)
                .doesNotContainAnyElementsOf(pending.stream().map(IndexableRecord::id).toList());
        assertThat(store.indexBacklog().completeIndex(List.of())).isZero();
    }

    @Test
    void keepsTheFingerprintOfTheEntryIndexedLast() {
        Receipt receipt = write(i -> true, record("indexed", VECTOR)).getFirst();
        IndexableRecord stored = store.vectorLedger().indexable(List.of(receipt.id())).getFirst();
        IndexableRecord reindexed = new IndexableRecord(stored.id(), stored.kind(), stored.namespace(), stored.phase(),
                stored.createdAt(), stored.receivedAt(), new float[]{0f, 0f, 1f});

        assertThat(store.indexBacklog().completeIndex(List.of(stored))).as("same fingerprint: nothing to update").isZero();
        assertThat(store.indexBacklog().completeIndex(List.of(reindexed))).isEqualTo(1);
        int bits = 4;
        assertThat(store.vectorLedger().vectorFingerprints(IdSlices.sliceOf(receipt.id(), bits), bits))
                .isEqualTo(Map.of(receipt.id(), reindexed.fingerprint()));
    }

    @Test
    void queuesARecordForTheIndexOnceItsEmbeddingArrives() {
        Receipt receipt = write(record("late-vector", null)).getFirst();
        assertThat(store.indexBacklog().pendingIndex(10)).isEmpty();
        assertThat(store.indexBacklog().countPendingIndex()).isEqualTo(1);

        PendingEmbedding pending = store.embeddingBacklog().pendingEmbeddings(10).getFirst();
        store.embeddingBacklog().completeEmbeddings(Map.of(pending, VECTOR));

        assertThat(store.indexBacklog().pendingIndex(10)).extracting(IndexableRecord::id).containsExactly(receipt.id());
        assertThat(store.indexBacklog().pendingIndex(10).getFirst().embedding()).containsExactly(VECTOR);
    }

    @Test
    void saysWhenTheRecordWaitingLongestArrived() {
        assertThat(store.indexBacklog().oldestPendingIndex()).isEmpty();
        write(i -> true, record("indexed", VECTOR));
        assertThat(store.indexBacklog().oldestPendingIndex()).as("nothing waits").isEmpty();
        later();
        Instant first = now();
        write(record("a", VECTOR), record("b", null));
        later();
        write(record("c", VECTOR));

        assertThat(store.indexBacklog().oldestPendingIndex()).contains(first);
        store.indexBacklog().completeIndex(store.indexBacklog().pendingIndex(1));
        assertThat(store.indexBacklog().oldestPendingIndex()).as("b still waits for its embedding").contains(first);
        assertThat(store.indexBacklog().countPendingIndex()).isEqualTo(2);
        assertThat(store.indexBacklog().pendingIndex(10)).hasSize(1);
    }
}
