package io.datastorage.index.solr;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.VectorIndexContract;
import io.datastorage.solr.testcluster.SolrCloudForTests;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Records sharing a vector beyond the contract (ported from the Lucene index's tests): one vector
 * document per distinct vector however many records repeat it, also under concurrent writers of
 * the same few vectors with deletes among them.
 */
class SolrRepeatedVectorsTest {
    private static final int DIMENSION = 16;
    private static final String COLLECTION = "repeated";
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private final Random random = new Random(14);
    private SolrVectorIndex index;

    @BeforeEach
    void open() {
        index = SolrVectorIndex.open(SolrTestSupport.config(SolrCloudForTests.shared(), COLLECTION, 2, 1, DIMENSION));
        SolrTestSupport.clear(SolrCloudForTests.shared(), COLLECTION);
    }

    @AfterEach
    void close() {
        index.close();
    }

    private float[] unitVector() {
        return VectorIndexContract.randomUnitVector(random, DIMENSION);
    }

    private static IndexEntry entry(float[] vector, Instant createdAt) {
        UUID id = UUID.randomUUID();
        return new IndexEntry(id, vector, new IndexMetadata(AuditKind.REMEDIATION, "prod", "Completed", createdAt, "c-" + id));
    }

    /** Vector documents in the collection, orphans included. */
    static long vectorDocuments(String collection) throws Exception {
        try (CloudSolrClient solr = SolrTestSupport.client(SolrCloudForTests.shared())) {
            solr.commit(collection, true, true, true);
            ModifiableSolrParams params = new ModifiableSolrParams().set("q", "doc_type:vector").set("rows", 0);
            return new QueryRequest(params).process(solr, collection).getResults().getNumFound();
        }
    }

    @Test
    void thousandsOfRecordsSharingAVectorMakeOneVectorDocument() throws Exception {
        float[] repeated = unitVector();
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            entries.add(entry(repeated, T0.plusSeconds(i)));
        }
        entries.add(entry(unitVector(), T0));
        for (int from = 0; from < entries.size(); from += 500) {
            index.upsert(entries.subList(from, Math.min(entries.size(), from + 500)));
        }
        index.refresh();

        assertThat(vectorDocuments(COLLECTION)).isEqualTo(2);
        assertThat(index.count()).isEqualTo(3_001);
        assertThat(index.search(repeated, 1, IndexFilter.NONE).getFirst().sameVectorCount()).isEqualTo(3_000);
    }

    /**
     * Eight writers (each an index of its own, as replicas of the service are) share six vectors
     * while deleting some of their records; at the end every record still there reads back its
     * vector and is found, and each vector has one document.
     */
    @Test
    void concurrentWritersOfTheSameVectorsInSeveralProcessesLeaveEachRecordItsVector() throws Exception {
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            vectors.add(unitVector());
        }
        Map<UUID, float[]> written = new ConcurrentHashMap<>();
        Set<UUID> deleted = ConcurrentHashMap.newKeySet();
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int seed = w;
                writers.add(threads.submit(() -> {
                    Random mine = new Random(seed);
                    try (SolrVectorIndex replica = SolrVectorIndex.open(index.config())) {
                        for (int i = 0; i < 20; i++) {
                            float[] vector = vectors.get(mine.nextInt(vectors.size()));
                            IndexEntry e = entry(vector, T0.plusSeconds(i));
                            replica.upsert(List.of(e));
                            written.put(e.id(), vector);
                            if (mine.nextInt(3) == 0) {
                                replica.delete(List.of(e.id()));
                                deleted.add(e.id());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
        }
        index.refresh();

        assertThat(index.count()).isEqualTo(written.size() - deleted.size());
        written.forEach((id, vector) -> {
            if (!deleted.contains(id)) {
                assertThat(index.get(id)).as("record %s", id).hasValueSatisfying(e -> assertThat(e.vector()).containsExactly(vector));
            }
        });
        assertThat(vectorDocuments(COLLECTION)).isLessThanOrEqualTo(vectors.size());
        for (float[] vector : vectors) {
            long holders = written.entrySet().stream().filter(e -> !deleted.contains(e.getKey()) && e.getValue() == vector).count();
            List<IndexHit> hits = index.search(vector, 1, IndexFilter.NONE);
            if (holders > 0) {
                assertThat(hits.getFirst().score()).isCloseTo(1.0, within(1e-6));
                assertThat(hits.getFirst().sameVectorCount()).isEqualTo(holders);
            }
        }
    }
}
