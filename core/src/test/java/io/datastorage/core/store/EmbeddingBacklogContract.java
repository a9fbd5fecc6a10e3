package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link EmbeddingBacklog} promises, for every store: the records written without an
 * embedding wait, oldest received first, until their embedding is stored, once.
 */
public abstract class EmbeddingBacklogContract extends StoreContract {

    @Test
    void listsTheRecordsWrittenWithoutAnEmbeddingOldestReceivedFirst() {
        List<UUID> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Receipt> receipts = write(record("with-" + i, VECTOR), record("pending-" + i, null));
            pending.add(receipts.get(1).id());
            later();
        }

        assertThat(store.embeddingBacklog().pendingEmbeddings(10)).extracting(PendingEmbedding::id)
                .containsExactlyElementsOf(pending);
        assertThat(store.embeddingBacklog().pendingEmbeddings(2)).extracting(PendingEmbedding::id)
                .containsExactlyElementsOf(pending.subList(0, 2));
        assertThat(store.embeddingBacklog().countPendingEmbeddings()).isEqualTo(3);
        PendingEmbedding first = store.embeddingBacklog().pendingEmbeddings(1).getFirst();
        assertThat(first.kind()).isEqualTo(AuditKind.REMEDIATION);
        assertThat(first.createdAt()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(first.document().get("name")).isEqualTo("pending-0");
    }

    @Test
    void ordersRecordsReceivedTogetherById() {
        List<Receipt> receipts = write(record("p-0", null), record("p-1", null), record("p-2", null), record("p-3", null),
                record("p-4", null), record("p-5", null));

        assertThat(store.embeddingBacklog().pendingEmbeddings(10)).extracting(PendingEmbedding::id)
                .containsExactlyElementsOf(receipts.stream().map(Receipt::id).sorted(ID_ORDER).toList());
    }

    @Test
    void storesAnEmbeddingComputedLaterOnce() {
        List<Receipt> receipts = write(record("with-vector", VECTOR), record("pending-vector", null));
        assertThat(receipts).extracting(Receipt::embedded).containsExactly(true, false);
        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(0).id()).orElseThrow().embedded()).isTrue();
        assertThat(store.records().find(AuditKind.REMEDIATION, receipts.get(1).id()).orElseThrow().embedded()).isFalse();
        PendingEmbedding mine = store.embeddingBacklog().pendingEmbeddings(1000).stream()
                .filter(p -> p.id().equals(receipts.get(1).id())).findFirst().orElseThrow();
        assertThat(mine.document().get("name")).isEqualTo("pending-vector");
        long before = store.embeddingBacklog().countPendingEmbeddings();

        assertThat(store.embeddingBacklog().completeEmbeddings(Map.of(mine, VECTOR))).isEqualTo(1);
        assertThat(store.embeddingBacklog().completeEmbeddings(Map.of(mine, VECTOR))).as("already complete").isZero();
        assertThat(store.records().find(AuditKind.REMEDIATION, mine.id()).orElseThrow().embedded()).isTrue();
        assertThat(store.embeddingBacklog().countPendingEmbeddings()).isEqualTo(before - 1);
        assertThat(store.embeddingBacklog().pendingEmbeddings(1000)).isEmpty();
        assertThat(store.vectorLedger().indexable(List.of(mine.id()))).singleElement()
                .satisfies(r -> assertThat(r.embedding()).containsExactly(VECTOR));
    }

    @Test
    void completingNothingUpdatesNothing() {
        write(record("pending", null));

        assertThat(store.embeddingBacklog().completeEmbeddings(Map.of())).isZero();
        assertThat(store.embeddingBacklog().countPendingEmbeddings()).isEqualTo(1);
    }

    @Test
    void leavesARecordWrittenWithItsEmbeddingAlone() {
        Receipt receipt = write(record("with-vector", VECTOR)).getFirst();
        PendingEmbedding notPending = new PendingEmbedding(receipt.id(), AuditKind.REMEDIATION,
                Instant.parse("2026-11-20T10:00:00Z"), Map.of());

        assertThat(store.embeddingBacklog().completeEmbeddings(Map.of(notPending, new float[]{1f, 0f, 0f}))).isZero();
        assertThat(store.vectorLedger().indexable(List.of(receipt.id()))).singleElement()
                .satisfies(r -> assertThat(r.embedding()).containsExactly(VECTOR));
    }
}
