package io.datastorage.index.lucene;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.index.VectorIndexContract;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What the Lucene index does about records sharing a vector beyond the contract: one graph node
 * per distinct vector, orphaned vectors swept under concurrent writes, and indexes written with a
 * vector per record upgraded at open.
 */
class RepeatedVectorsTest {
    private static final int DIMENSION = 16;
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    Path dir;
    private final Random random = new Random(14);

    private float[] unitVector() {
        return VectorIndexContract.randomUnitVector(random, DIMENSION);
    }

    private static IndexEntry entry(float[] vector, Instant createdAt) {
        UUID id = UUID.randomUUID();
        return new IndexEntry(id, vector, new IndexMetadata(AuditKind.REMEDIATION, "prod", "Completed", createdAt, "c-" + id));
    }

    private static long vectorDocuments(LuceneVectorIndex index) {
        index.refresh();
        return index.vectorCount();
    }

    @Test
    void thousandsOfRecordsSharingAVectorMakeOneGraphNode() throws Exception {
        try (LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("i"), DIMENSION, Duration.ofHours(1))) {
            float[] repeated = unitVector();
            List<IndexEntry> entries = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                entries.add(entry(repeated, T0.plusSeconds(i)));
            }
            entries.add(entry(unitVector(), T0));
            index.upsert(entries);

            assertThat(vectorDocuments(index)).isEqualTo(2);
            assertThat(index.count()).isEqualTo(3_001);
        }
    }

    @Test
    void aSweepRemovesVectorsNoRecordHoldsAndKeepsTheRest() throws Exception {
        try (LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("i"), DIMENSION, Duration.ofHours(1))) {
            float[] kept = unitVector();
            IndexEntry a = entry(kept, T0);
            IndexEntry b = entry(unitVector(), T0);
            IndexEntry c = entry(unitVector(), T0);
            index.upsert(List.of(a, b, c));
            index.delete(List.of(b.id()));
            index.upsert(List.of(new IndexEntry(c.id(), kept, c.metadata())));

            assertThat(index.sweepOrphans()).isEqualTo(2);
            assertThat(vectorDocuments(index)).isEqualTo(1);
            assertThat(index.get(c.id()).orElseThrow().vector()).containsExactly(kept);
            assertThat(index.search(kept, 5, IndexFilter.NONE)).extracting(IndexHit::sameVectorCount).containsOnly(2L);
            assertThat(index.sweepOrphans()).isZero();
        }
    }

    /**
     * A sweep decides from what the searcher shows; writes in flight must neither lose their
     * vector to it nor add one twice. Eight writers share a few vectors while records are deleted
     * and sweeps run; at the end every record still there reads back its vector and is found.
     */
    @Test
    void sweepsRacingWritesNeverLeaveARecordWithoutItsVector() throws Exception {
        try (LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("i"), DIMENSION, Duration.ofMillis(20))) {
            List<float[]> vectors = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                vectors.add(unitVector());
            }
            Map<UUID, float[]> written = new ConcurrentHashMap<>();
            Set<UUID> deleted = ConcurrentHashMap.newKeySet();
            AtomicBoolean writing = new AtomicBoolean(true);
            try (ExecutorService threads = Executors.newFixedThreadPool(10)) {
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < 8; w++) {
                    int seed = w;
                    writers.add(threads.submit(() -> {
                        Random mine = new Random(seed);
                        for (int i = 0; i < 400; i++) {
                            float[] vector = vectors.get(mine.nextInt(vectors.size()));
                            IndexEntry e = entry(vector, T0.plusSeconds(i));
                            index.upsert(List.of(e));
                            written.put(e.id(), vector);
                            if (mine.nextInt(3) == 0) {
                                index.delete(List.of(e.id()));
                                deleted.add(e.id());
                            }
                        }
                        return null;
                    }));
                }
                Future<?> sweeper = threads.submit(() -> {
                    while (writing.get()) {
                        index.sweepOrphans();
                    }
                    return null;
                });
                for (Future<?> f : writers) {
                    f.get();
                }
                writing.set(false);
                sweeper.get();
            }
            index.sweepOrphans();
            index.refresh();

            assertThat(index.count()).isEqualTo(written.size() - deleted.size());
            written.forEach((id, vector) -> {
                if (!deleted.contains(id)) {
                    assertThat(index.get(id)).as("record %s", id).hasValueSatisfying(e -> assertThat(e.vector()).containsExactly(vector));
                }
            });
            assertThat(vectorDocuments(index)).isLessThanOrEqualTo(vectors.size());
            for (float[] vector : vectors) {
                long holders = written.entrySet().stream()
                        .filter(e -> !deleted.contains(e.getKey()) && e.getValue() == vector).count();
                List<IndexHit> hits = index.search(vector, 1, IndexFilter.NONE);
                if (holders > 0) {
                    assertThat(hits.getFirst().score()).isCloseTo(1.0, within(1e-6));
                    assertThat(hits.getFirst().sameVectorCount()).isEqualTo(holders);
                }
            }
        }
    }

    /** An index from before issue 14 (a vector in every record document) is rewritten at open. */
    @Test
    void anIndexWithAVectorPerRecordIsRewrittenAtOpen() throws Exception {
        Path path = dir.resolve("old");
        float[] repeated = unitVector();
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            entries.add(entry(repeated, T0.plusSeconds(i)));
        }
        IndexEntry single = entry(unitVector(), T0);
        entries.add(single);
        Collections.shuffle(entries, random);
        try (IndexWriter writer = new IndexWriter(FSDirectory.open(path), new IndexWriterConfig())) {
            for (IndexEntry e : entries) {
                writer.addDocument(documentOfTheOldLayout(e));
            }
            writer.setLiveCommitData(Map.of(LuceneVectorIndex.DURABLE_AS_OF, "2026-11-02T00:00:00Z").entrySet());
            writer.commit();
        }

        try (LuceneVectorIndex index = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1))) {
            assertThat(index.recoveredAsOf()).contains(Instant.parse("2026-11-02T00:00:00Z"));
            assertThat(index.count()).isEqualTo(501);
            assertThat(vectorDocuments(index)).isEqualTo(2);
            assertThat(index.get(single.id()).orElseThrow()).satisfies(e -> {
                assertThat(e.vector()).containsExactly(single.vector());
                assertThat(e.metadata()).isEqualTo(single.metadata());
            });
            assertThat(index.search(single.vector(), 1, IndexFilter.NONE)).extracting(IndexHit::id).containsExactly(single.id());
            assertThat(index.search(repeated, 1, IndexFilter.NONE).getFirst().sameVectorCount()).isEqualTo(500);
            SliceDigest expected = new SliceDigest(2);
            entries.forEach(e -> expected.add(e.id(), SliceDigest.fingerprint(e.metadata().checksum())));
            assertThat(index.digest(2).differing(expected)).isEmpty();
        }
        try (LuceneVectorIndex again = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1))) {
            assertThat(again.count()).isEqualTo(501);
            assertThat(vectorDocuments(again)).isEqualTo(2);
        }
    }

    /** The document the index wrote for a record before issue 14. */
    static Document documentOfTheOldLayout(IndexEntry entry) {
        Document doc = new Document();
        doc.add(new StringField("id", entry.id().toString(), Field.Store.YES));
        doc.add(new KnnFloatVectorField("vector", entry.vector(), VectorSimilarityFunction.COSINE));
        doc.add(new StringField("kind", entry.metadata().kind().name(), Field.Store.YES));
        doc.add(new StringField("namespace", entry.metadata().namespace(), Field.Store.YES));
        doc.add(new StringField("phase", entry.metadata().phase(), Field.Store.YES));
        long micros = entry.metadata().createdAt().getEpochSecond() * 1_000_000L;
        doc.add(new LongPoint("createdAt", micros));
        doc.add(new StoredField("createdAt", micros));
        doc.add(new StoredField("checksum", entry.metadata().checksum()));
        doc.add(new NumericDocValuesField("fingerprint", SliceDigest.fingerprint(entry.metadata().checksum())));
        return doc;
    }
}
