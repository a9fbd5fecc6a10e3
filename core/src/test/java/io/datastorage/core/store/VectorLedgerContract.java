package io.datastorage.core.store;

import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.SliceDigest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link VectorLedger} promises, for every store: the digest and the per-slice fingerprints
 * describe the same records (those with an embedding, with the fingerprint kept when they were
 * indexed, 0 or null when none was), the records to re-index are read by id, and the indexed
 * records are walked page by page in (received, id) order.
 */
public abstract class VectorLedgerContract extends StoreContract {

    @Test
    void digestsAndFingerprintsSayWhatTheIndexShouldHold() {
        Map<UUID, Long> indexed = new HashMap<>();
        List<UUID> pending = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            List<NewRecord> batch = List.of(record("i" + i, randomVector()), record("p" + i, randomVector()),
                    record("e" + i, null));
            List<Receipt> receipts = store.records().write(batch, null, records -> {
                IndexableRecord first = records.getFirst();
                indexed.put(first.id(), first.fingerprint());
                return Set.of(first.id());
            }).receipts();
            pending.add(receipts.get(1).id());
        }

        int bits = 5;
        SliceDigest expected = new SliceDigest(bits);
        indexed.forEach(expected::add);
        pending.forEach(id -> expected.add(id, 0L));
        SliceDigest digest = store.vectorLedger().vectorDigest(bits);
        assertThat(digest.differing(expected)).isEmpty();
        assertThat(digest.total()).as("records without an embedding are not expected in the index").isEqualTo(60);

        for (int slice = 0; slice < IdSlices.count(bits); slice++) {
            Map<UUID, Long> inSlice = new HashMap<>();
            for (Map.Entry<UUID, Long> e : indexed.entrySet()) {
                if (IdSlices.sliceOf(e.getKey(), bits) == slice) {
                    inSlice.put(e.getKey(), e.getValue());
                }
            }
            for (UUID id : pending) {
                if (IdSlices.sliceOf(id, bits) == slice) {
                    inSlice.put(id, null);
                }
            }
            assertThat(store.vectorLedger().vectorFingerprints(slice, bits)).as("slice %d", slice).isEqualTo(inSlice);
        }
    }

    @Test
    void digestAgreesWithTheFingerprintsOnceTheRepairKeptThem() {
        for (int i = 0; i < 20; i++) {
            write(record("r" + i, randomVector()), record("e" + i, null));
        }
        store.indexBacklog().completeIndex(store.indexBacklog().pendingIndex(1000));

        int bits = 3;
        SliceDigest fromFingerprints = new SliceDigest(bits);
        for (int slice = 0; slice < IdSlices.count(bits); slice++) {
            store.vectorLedger().vectorFingerprints(slice, bits).forEach((id, fingerprint) -> {
                assertThat(fingerprint).as("kept when marked indexed").isNotNull();
                fromFingerprints.add(id, fingerprint);
            });
        }
        SliceDigest digest = store.vectorLedger().vectorDigest(bits);
        assertThat(digest.differing(fromFingerprints)).isEmpty();
        assertThat(digest.total()).isEqualTo(20);
    }

    @Test
    void readsTheRecordsToReindexById() {
        List<Receipt> receipts = write(record("a", VECTOR), record("b", null));

        List<IndexableRecord> found = store.vectorLedger().indexable(List.of(receipts.get(0).id(), receipts.get(1).id(),
                UUID.randomUUID(), receipts.get(0).id()));

        assertThat(found).as("only what has an embedding, once").extracting(IndexableRecord::id)
                .containsExactly(receipts.getFirst().id());
        IndexableRecord a = found.getFirst();
        assertThat(a.embedding()).containsExactly(VECTOR);
        assertThat(a.namespace()).isEqualTo("prod");
        assertThat(a.phase()).isEqualTo("Completed");
        assertThat(a.createdAt()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
        assertThat(a.receivedAt()).isEqualTo(now());
        assertThat(store.vectorLedger().indexable(List.of())).isEmpty();
    }

    @Test
    void walksTheIndexedRecordsInArrivalOrderPageByPage() {
        List<IndexableRecord> indexed = new ArrayList<>();
        Instant second = null;
        for (int i = 0; i < 4; i++) {
            if (i == 1) {
                second = now();
            }
            store.records().write(List.of(record("a" + i, randomVector()), record("b" + i, randomVector()),
                    record("c" + i, randomVector()), record("pending" + i, null)), null, records -> {
                indexed.addAll(records.subList(0, 2)); // the third waits for the repair
                return Set.of(records.get(0).id(), records.get(1).id());
            });
            later();
        }
        List<IndexableRecord> repaired = store.indexBacklog().pendingIndex(1);
        store.indexBacklog().completeIndex(repaired);
        indexed.addAll(repaired);
        Comparator<IndexableRecord> order = Comparator.comparing(IndexableRecord::receivedAt)
                .thenComparing(IndexableRecord::id, ID_ORDER);

        assertThat(walk(Instant.EPOCH, 3)).containsExactlyElementsOf(
                indexed.stream().sorted(order).map(IndexableRecord::id).toList());
        Instant since = second;
        assertThat(walk(since, 2)).containsExactlyElementsOf(indexed.stream()
                .filter(r -> !r.receivedAt().isBefore(since)).sorted(order).map(IndexableRecord::id).toList());
        assertThat(store.vectorLedger().indexedSince(now().plusSeconds(1), null, 10)).isEmpty();
    }

    private List<UUID> walk(Instant since, int pageSize) {
        List<UUID> walked = new ArrayList<>();
        IndexableRecord after = null;
        for (List<IndexableRecord> page = store.vectorLedger().indexedSince(since, null, pageSize); !page.isEmpty();
             page = store.vectorLedger().indexedSince(since, after, pageSize)) {
            assertThat(page).hasSizeLessThanOrEqualTo(pageSize);
            page.forEach(r -> walked.add(r.id()));
            after = page.getLast();
        }
        return walked;
    }
}
