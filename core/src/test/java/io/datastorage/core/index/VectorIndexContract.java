package io.datastorage.core.index;

import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The contract every {@link VectorIndex} backend passes: extend it and say how to make an empty
 * index. Visibility is awaited (at most one second, the contract's bound), never slept for.
 */
public abstract class VectorIndexContract {
    protected static final int DIMENSION = 16;
    protected static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(1);

    protected VectorIndex index;
    private final Random random = new Random(42);

    /** A new, empty index of {@link #DIMENSION} dimensions. */
    protected abstract VectorIndex newIndex(int dimension);

    @BeforeEach
    void open() {
        index = newIndex(DIMENSION);
    }

    @AfterEach
    void closeIndex() {
        index.close();
    }

    protected float[] randomUnitVector() {
        return randomUnitVector(random, DIMENSION);
    }

    /** A random direction: Gaussian components, normalised. */
    public static float[] randomUnitVector(Random random, int dimension) {
        float[] v = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < dimension; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    /** A unit vector close to {@code base}: cosine similarity about {@code 1 - noise²/2}. */
    protected float[] near(float[] base, double noise) {
        float[] other = randomUnitVector();
        float[] v = new float[DIMENSION];
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) (base[i] + noise * other[i]);
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIMENSION; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    protected static IndexEntry entry(UUID id, float[] vector, AuditKind kind, String namespace, String phase, Instant createdAt) {
        return new IndexEntry(id, vector, new IndexMetadata(kind, namespace, phase, createdAt, "c-" + id));
    }

    protected IndexEntry entry(float[] vector) {
        return entry(UUID.randomUUID(), vector, AuditKind.REMEDIATION, "prod", "Completed", T0);
    }

    private void awaitCount(long expected) {
        await().atMost(VISIBLE_WITHIN).untilAsserted(() -> assertThat(index.count()).isEqualTo(expected));
    }

    @Test
    void anIndexOfferingCrashRecoveryHasRecoveredNothingWhenNew() {
        index.upsert(List.of(entry(randomUnitVector())));

        index.crashRecovery().ifPresent(recovery -> assertThat(recovery.recoveredAsOf())
                .as("a new index survived no earlier stop, whatever it has made durable since").isEmpty());
    }

    @Test
    void anEmptyIndexFindsNothing() {
        assertThat(index.search(randomUnitVector(), 10, IndexFilter.NONE)).isEmpty();
        assertThat(index.count()).isZero();
        assertThat(index.ids(null, 10)).isEmpty();
        assertThat(index.health().up()).isTrue();
        assertThat(index.dimension()).isEqualTo(DIMENSION);
    }

    @Test
    void upsertingAnIdAgainReplacesItsEntry() {
        UUID id = UUID.randomUUID();
        float[] first = randomUnitVector();
        float[] second = randomUnitVector();
        index.upsert(List.of(entry(id, first, AuditKind.REMEDIATION, "prod", "Pending", T0)));
        index.upsert(List.of(entry(id, second, AuditKind.REMEDIATION, "prod", "Completed", T0)));
        index.upsert(List.of(entry(id, second, AuditKind.REMEDIATION, "prod", "Completed", T0)));

        awaitCount(1);
        await().atMost(VISIBLE_WITHIN).untilAsserted(() -> {
            IndexEntry stored = index.get(id).orElseThrow();
            assertThat(stored.vector()).containsExactly(second);
            assertThat(stored.metadata().phase()).isEqualTo("Completed");
            assertThat(stored.metadata().checksum()).isEqualTo("c-" + id);
        });
        List<IndexHit> hits = index.search(second, 5, IndexFilter.NONE);
        assertThat(hits).extracting(IndexHit::id).containsExactly(id);
    }

    @Test
    void findsTheNearestFirstScoredByCosineSimilarity() {
        float[] query = randomUnitVector();
        IndexEntry same = entry(query);
        IndexEntry close = entry(near(query, 0.2));
        IndexEntry far = entry(near(query, 2.0));
        index.upsert(List.of(far, close, same));
        awaitCount(3);

        List<IndexHit> hits = index.search(query, 3, IndexFilter.NONE);

        assertThat(hits).extracting(IndexHit::id).containsExactly(same.id(), close.id(), far.id());
        assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-4));
        assertThat(hits.get(1).score()).isCloseTo(VectorIndexes.cosine(query, close.vector()), within(1e-4));
        assertThat(hits.get(2).score()).isCloseTo(VectorIndexes.cosine(query, far.vector()), within(1e-4));
        assertThat(index.search(query, 1, IndexFilter.NONE)).extracting(IndexHit::id).containsExactly(same.id());
    }

    @Test
    void appliesTheFilterBeforeTakingTheTopK() {
        float[] query = randomUnitVector();
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // close to the query, but of the wrong kind
            entries.add(entry(UUID.randomUUID(), near(query, 0.05), AuditKind.REMEDIATION, "prod", "Completed", T0));
        }
        Set<UUID> wanted = new HashSet<>();
        for (int i = 0; i < 7; i++) { // far from the query, of the kind asked for
            IndexEntry e = entry(UUID.randomUUID(), near(query, 3.0), AuditKind.EXECUTION, "prod", "Completed", T0);
            entries.add(e);
            wanted.add(e.id());
        }
        index.upsert(entries);
        awaitCount(207);

        List<IndexHit> hits = index.search(query, 5, new IndexFilter(Set.of(AuditKind.EXECUTION), null, null, null, null));

        assertThat(hits).hasSize(5).extracting(IndexHit::id).allMatch(wanted::contains);
        assertThat(index.search(query, 10, new IndexFilter(Set.of(AuditKind.EXECUTION), null, null, null, null)))
                .hasSize(7);
    }

    /**
     * A filter matching most records may be applied after the graph search: the nearest vectors
     * do not match it, and the index must keep looking until k matching records are found.
     */
    @Test
    void aBroadFilterFindsTheBestMatchingRecordsBehindNearerOnesItExcludes() {
        float[] query = randomUnitVector();
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // nearest, excluded by the filter
            entries.add(entry(UUID.randomUUID(), near(query, 0.05), AuditKind.EXECUTION, "prod", "Completed", T0));
        }
        List<IndexEntry> matching = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            matching.add(entry(UUID.randomUUID(), near(query, 1.0), AuditKind.REMEDIATION, "prod", "Completed", T0));
        }
        entries.addAll(matching);
        index.upsert(entries);
        awaitCount(1_000);

        List<IndexHit> hits = index.search(query, 5, new IndexFilter(Set.of(AuditKind.REMEDIATION), null, null, null, null));

        List<UUID> best = matching.stream()
                .sorted((a, b) -> Double.compare(VectorIndexes.cosine(query, b.vector()), VectorIndexes.cosine(query, a.vector())))
                .limit(5).map(IndexEntry::id).toList();
        assertThat(hits).extracting(IndexHit::id).containsExactlyElementsOf(best);
    }

    @Test
    void filtersByNamespacePhaseAndTimeRange() {
        float[] query = randomUnitVector();
        IndexEntry prodOld = entry(UUID.randomUUID(), near(query, 0.1), AuditKind.WORKFLOW, "prod", "Failed", T0);
        IndexEntry prodNew = entry(UUID.randomUUID(), near(query, 0.1), AuditKind.WORKFLOW, "prod", "Completed",
                T0.plus(Duration.ofDays(2)));
        IndexEntry staging = entry(UUID.randomUUID(), near(query, 0.1), AuditKind.AI_ANALYSIS, "staging", null,
                T0.plus(Duration.ofDays(1)));
        index.upsert(List.of(prodOld, prodNew, staging));
        awaitCount(3);

        assertThat(ids(new IndexFilter(null, "prod", null, null, null))).containsExactlyInAnyOrder(prodOld.id(), prodNew.id());
        assertThat(ids(new IndexFilter(null, null, "Failed", null, null))).containsExactly(prodOld.id());
        assertThat(ids(new IndexFilter(null, null, null, T0.plus(Duration.ofDays(1)), null)))
                .containsExactlyInAnyOrder(staging.id(), prodNew.id());
        assertThat(ids(new IndexFilter(null, null, null, T0, T0.plus(Duration.ofDays(1))))).containsExactly(prodOld.id());
        assertThat(ids(new IndexFilter(Set.of(AuditKind.WORKFLOW, AuditKind.AI_ANALYSIS), "staging", null, null, null)))
                .containsExactly(staging.id());
        assertThat(ids(new IndexFilter(Set.of(AuditKind.EXECUTION), null, null, null, null))).isEmpty();
    }

    private List<UUID> ids(IndexFilter filter) {
        return index.search(randomUnitVector(), 10, filter).stream().map(IndexHit::id).toList();
    }

    @Test
    void deletesWhatItIsToldAndIgnoresAbsentIds() {
        IndexEntry kept = entry(randomUnitVector());
        IndexEntry deleted = entry(randomUnitVector());
        index.upsert(List.of(kept, deleted));
        awaitCount(2);

        index.delete(List.of(deleted.id(), UUID.randomUUID()));

        awaitCount(1);
        assertThat(index.get(deleted.id())).isEmpty();
        assertThat(index.get(kept.id())).isPresent();
        assertThat(index.search(deleted.vector(), 5, IndexFilter.NONE)).extracting(IndexHit::id).containsExactly(kept.id());
    }

    @Test
    void walksEveryIdOnceInAscendingOrderPageByPage() {
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 95; i++) {
            entries.add(entry(randomUnitVector()));
        }
        index.upsert(entries);
        index.delete(List.of(entries.get(10).id(), entries.get(50).id()));
        awaitCount(93);

        List<UUID> walked = new ArrayList<>();
        UUID after = null;
        for (List<UUID> page = index.ids(null, 10); !page.isEmpty(); page = index.ids(after, 10)) {
            assertThat(page.size()).isLessThanOrEqualTo(10);
            walked.addAll(page);
            after = page.getLast();
        }

        List<String> expected = entries.stream().map(e -> e.id().toString())
                .filter(id -> !id.equals(entries.get(10).id().toString()) && !id.equals(entries.get(50).id().toString()))
                .sorted().toList();
        assertThat(walked).extracting(UUID::toString).containsExactlyElementsOf(expected);
    }

    @Test
    void refreshMakesWhatWasWrittenVisibleAtOnce() {
        IndexEntry first = entry(randomUnitVector());
        index.upsert(List.of(first, entry(randomUnitVector())));
        index.refresh();
        assertThat(index.count()).isEqualTo(2);

        index.delete(List.of(first.id()));
        index.refresh();
        assertThat(index.count()).isEqualTo(1);
        assertThat(index.get(first.id())).isEmpty();
    }

    @Test
    void digestAndFingerprintsDescribeExactlyWhatItHolds() {
        Map<UUID, String> held = new HashMap<>();
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            IndexEntry e = entry(randomUnitVector());
            entries.add(e);
            held.put(e.id(), e.metadata().checksum());
        }
        index.upsert(entries);
        index.delete(List.of(entries.get(3).id(), entries.get(77).id()));
        held.remove(entries.get(3).id());
        held.remove(entries.get(77).id());
        IndexEntry rewritten = entries.get(20);
        String newChecksum = "0123456789abcdef" + "0".repeat(48);
        index.upsert(List.of(new IndexEntry(rewritten.id(), rewritten.vector(), new IndexMetadata(AuditKind.WORKFLOW,
                null, null, T0, newChecksum))));
        held.put(rewritten.id(), newChecksum);
        IndexEntry unsummed = new IndexEntry(UUID.randomUUID(), randomUnitVector(), new IndexMetadata(AuditKind.WORKFLOW,
                null, null, T0, null));
        index.upsert(List.of(unsummed));
        held.put(unsummed.id(), null);
        index.refresh();

        int bits = 3;
        SliceDigest expected = new SliceDigest(bits);
        held.forEach((id, checksum) -> expected.add(id, SliceDigest.fingerprint(checksum)));
        assertThat(index.digest(bits).differing(expected)).isEmpty();
        assertThat(index.digest(bits).total()).isEqualTo(149);
        for (int slice = 0; slice < IdSlices.count(bits); slice++) {
            Map<UUID, Long> inSlice = new HashMap<>();
            for (Map.Entry<UUID, String> e : held.entrySet()) {
                if (IdSlices.sliceOf(e.getKey(), bits) == slice) {
                    inSlice.put(e.getKey(), SliceDigest.fingerprint(e.getValue()));
                }
            }
            assertThat(index.fingerprints(slice, bits)).as("slice %d", slice).isEqualTo(inSlice);
        }
        assertThat(index.fingerprints(IdSlices.sliceOf(rewritten.id(), bits), bits))
                .containsEntry(rewritten.id(), 0x0123456789abcdefL);
    }

    @Test
    void refusesVectorsItCannotHoldAndWritesNothingOfTheBatch() {
        IndexEntry good = entry(randomUnitVector());
        IndexEntry shortVector = entry(new float[DIMENSION - 1]);
        IndexEntry zero = entry(new float[DIMENSION]);
        float[] nan = randomUnitVector();
        nan[3] = Float.NaN;

        assertThatThrownBy(() -> index.upsert(List.of(good, shortVector)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(DIMENSION - 1 + " dimensions");
        assertThatThrownBy(() -> index.upsert(List.of(zero))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.upsert(List.of(entry(nan)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.search(new float[DIMENSION + 1], 3, IndexFilter.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.search(randomUnitVector(), 0, IndexFilter.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(index.count()).isZero();
        assertThat(index.get(good.id())).isEmpty();
    }

    /**
     * Issue 14's reproduction at the index level: one record, then 2,000 records sharing one other
     * vector. With one HNSW node per record, the identical vectors crowded the graph and the first
     * record was unreachable without a filter, even with k = 100.
     */
    @Test
    void aRecordWhoseVectorIsTheQueryIsFoundAmongThousandsSharingAnotherVector() {
        float[] repeated = randomUnitVector();
        IndexEntry single = entry(randomUnitVector());
        index.upsert(List.of(single));
        List<IndexEntry> duplicates = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            duplicates.add(entry(UUID.randomUUID(), repeated, AuditKind.REMEDIATION, "prod", "Completed", T0.plusSeconds(i)));
        }
        index.upsert(duplicates);
        index.refresh();

        for (IndexFilter filter : List.of(IndexFilter.NONE, new IndexFilter(Set.of(AuditKind.REMEDIATION), null, null, null, null))) {
            List<IndexHit> hits = index.search(single.vector(), 1, filter);
            assertThat(hits).as("filter %s", filter).extracting(IndexHit::id).containsExactly(single.id());
            assertThat(hits.getFirst().score()).isCloseTo(1.0, within(1e-6));
            assertThat(hits.getFirst().sameVectorCount()).isEqualTo(1);
        }
        List<IndexHit> top = index.search(single.vector(), 100, IndexFilter.NONE);
        assertThat(top).hasSize(100);
        assertThat(top.getFirst().id()).isEqualTo(single.id());
        assertThat(top.subList(1, 100)).allSatisfy(hit -> assertThat(hit.sameVectorCount()).isEqualTo(2_000));
        // The newest of the 2,000 first.
        assertThat(top.get(1).id()).isEqualTo(duplicates.getLast().id());

        List<IndexHit> ofTheRepeated = index.search(repeated, 3, IndexFilter.NONE);
        assertThat(ofTheRepeated).extracting(IndexHit::id).containsExactly(duplicates.get(1_999).id(),
                duplicates.get(1_998).id(), duplicates.get(1_997).id());
        assertThat(ofTheRepeated).allSatisfy(hit -> assertThat(hit.score()).isCloseTo(1.0, within(1e-6)));
    }

    @Test
    void twoRecordsSharingTheQueryVectorAreBothFoundAmongThousandsSharingAnother() {
        float[] repeated = randomUnitVector();
        float[] twice = randomUnitVector();
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            entries.add(entry(repeated));
        }
        IndexEntry older = entry(UUID.randomUUID(), twice, AuditKind.EXECUTION, "prod", "Completed", T0);
        IndexEntry newer = entry(UUID.randomUUID(), twice, AuditKind.EXECUTION, "prod", "Completed", T0.plusSeconds(1));
        entries.add(older);
        entries.add(newer);
        index.upsert(entries);
        index.refresh();

        List<IndexHit> hits = index.search(twice, 10, IndexFilter.NONE);

        assertThat(hits).hasSize(10);
        assertThat(hits.subList(0, 2)).extracting(IndexHit::id).containsExactly(newer.id(), older.id());
        assertThat(hits.subList(0, 2)).allSatisfy(hit -> {
            assertThat(hit.score()).isCloseTo(1.0, within(1e-6));
            assertThat(hit.sameVectorCount()).isEqualTo(2);
        });
        assertThat(hits.subList(2, 10)).allSatisfy(hit -> assertThat(hit.sameVectorCount()).isEqualTo(1_500));
    }

    @Test
    void recordsSharingAVectorTieNewestFirstThenGreaterIdFirstAsTheListingAndAreCountedWithinTheFilter() {
        float[] shared = randomUnitVector();
        UUID low = UUID.fromString("00000000-0000-0000-0000-000000000001");
        UUID high = UUID.fromString("ffffffff-0000-0000-0000-000000000001");
        IndexEntry oldest = entry(UUID.randomUUID(), shared, AuditKind.WORKFLOW, "prod", "Completed", T0);
        IndexEntry tiedHigh = entry(high, shared, AuditKind.WORKFLOW, "prod", "Completed", T0.plusSeconds(5));
        IndexEntry tiedLow = entry(low, shared, AuditKind.WORKFLOW, "staging", "Completed", T0.plusSeconds(5));
        IndexEntry newest = entry(UUID.randomUUID(), shared, AuditKind.WORKFLOW, "staging", "Completed", T0.plusSeconds(9));
        IndexEntry other = entry(near(shared, 0.5));
        index.upsert(List.of(tiedHigh, oldest, other, newest, tiedLow));
        index.refresh();

        List<IndexHit> hits = index.search(shared, 5, IndexFilter.NONE);
        assertThat(hits).extracting(IndexHit::id)
                .containsExactly(newest.id(), tiedHigh.id(), tiedLow.id(), oldest.id(), other.id());
        assertThat(hits).extracting(IndexHit::sameVectorCount).containsExactly(4L, 4L, 4L, 4L, 1L);
        assertThat(index.search(shared, 2, IndexFilter.NONE)).extracting(IndexHit::id).containsExactly(newest.id(), tiedHigh.id());

        List<IndexHit> prod = index.search(shared, 5, new IndexFilter(null, "prod", null, null, null));
        assertThat(prod).extracting(IndexHit::id).containsExactly(tiedHigh.id(), oldest.id(), other.id());
        assertThat(prod).extracting(IndexHit::sameVectorCount).containsExactly(2L, 2L, 1L);
    }

    @Test
    void sharedVectorsFollowDeletesAndRewritesOfTheirRecords() {
        float[] shared = randomUnitVector();
        float[] elsewhere = randomUnitVector();
        List<IndexEntry> holders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            holders.add(entry(UUID.randomUUID(), shared, AuditKind.REMEDIATION, "prod", "Completed", T0.plusSeconds(i)));
        }
        IndexEntry bystander = entry(elsewhere);
        index.upsert(holders);
        index.upsert(List.of(bystander));
        index.refresh();

        index.delete(List.of(holders.get(4).id(), holders.get(3).id()));
        index.refresh();
        assertThat(index.search(shared, 10, IndexFilter.NONE).subList(0, 3)).extracting(IndexHit::sameVectorCount)
                .containsOnly(3L);

        IndexEntry moved = holders.get(0);
        index.upsert(List.of(new IndexEntry(moved.id(), elsewhere, moved.metadata())));
        index.refresh();
        assertThat(index.get(moved.id()).orElseThrow().vector()).containsExactly(elsewhere);
        List<IndexHit> atElsewhere = index.search(elsewhere, 2, IndexFilter.NONE);
        assertThat(atElsewhere).extracting(IndexHit::id).containsExactlyInAnyOrder(moved.id(), bystander.id());
        assertThat(atElsewhere).extracting(IndexHit::sameVectorCount).containsOnly(2L);

        index.delete(List.of(holders.get(1).id(), holders.get(2).id()));
        index.refresh();
        // No record holds the shared vector any more: searching it finds the others, and nothing twice.
        List<IndexHit> after = index.search(shared, 10, IndexFilter.NONE);
        assertThat(after).extracting(IndexHit::id).containsExactlyInAnyOrder(moved.id(), bystander.id());
        assertThat(index.count()).isEqualTo(2);

        index.upsert(List.of(holders.get(1)));
        index.refresh();
        assertThat(index.search(shared, 1, IndexFilter.NONE)).extracting(IndexHit::id).containsExactly(holders.get(1).id());
        assertThat(index.get(holders.get(1).id()).orElseThrow().vector()).containsExactly(shared);
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        try (ExecutorService writers = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                List<IndexEntry> batch = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    batch.add(entry(randomUnitVector()));
                }
                done.add(writers.submit(() -> batch.forEach(e -> index.upsert(List.of(e)))));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        awaitCount(200);
    }

    @Test
    void remembersWhenEachEntryWasLastWrittenApartFromItsFingerprint() {
        IndexEntry first = entry(randomUnitVector());
        IndexEntry second = entry(randomUnitVector());
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        index.upsert(List.of(first, second));
        Instant after = Instant.now();
        index.refresh();

        Map<UUID, Instant> times = index.writtenAt(List.of(first.id(), second.id(), UUID.randomUUID()));

        assertThat(times).as("an absent id is left out").containsOnlyKeys(first.id(), second.id());
        assertThat(times.values()).allSatisfy(at -> assertThat(at).isBetween(before, after));
        assertThat(index.fingerprints(IdSlices.sliceOf(first.id(), 1), 1))
                .containsEntry(first.id(), SliceDigest.fingerprint(first.metadata().checksum()));

        Instant beforeRewrite = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        index.upsert(List.of(first));
        index.delete(List.of(second.id()));
        index.refresh();

        times = index.writtenAt(List.of(first.id(), second.id()));
        assertThat(times).as("a delete forgets the time").containsOnlyKeys(first.id());
        assertThat(times.get(first.id())).as("a rewrite moves it").isAfterOrEqualTo(beforeRewrite);
    }
}
