package io.datastorage.index.solr;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.VectorIndexContract;
import io.datastorage.solr.testcluster.SolrCloudForTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a replication factor of 2, a Solr node going away loses nothing and stops nothing: on a
 * cluster of its own (this test stops a node), every upsert and search keeps answering while one
 * of the two nodes is down, and what was written before and during is found.
 */
class SolrNodeStoppedTest {
    private static final int DIMENSION = 16;
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static SolrCloudForTests cluster;
    private final Random random = new Random(2);

    @BeforeAll
    static void startCluster() {
        cluster = SolrCloudForTests.start(2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.close();
    }

    private IndexEntry entry() {
        UUID id = UUID.randomUUID();
        return new IndexEntry(id, VectorIndexContract.randomUnitVector(random, DIMENSION),
                new IndexMetadata(AuditKind.EXECUTION, "prod", "Completed", T0, "c-" + id));
    }

    @Test
    void withOneNodeStoppedUpsertsAndSearchesKeepWorkingAndNothingIsLost() {
        try (SolrVectorIndex index = SolrVectorIndex.open(SolrTestSupport.config(cluster, "replicated", 2, 2, DIMENSION))) {
            List<IndexEntry> before = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                before.add(entry());
            }
            index.upsert(before);
            index.refresh();

            cluster.stopNode(1);
            try {
                List<IndexEntry> during = new ArrayList<>();
                for (int batch = 0; batch < 20; batch++) {
                    List<IndexEntry> some = List.of(entry(), entry(), entry(), entry(), entry());
                    index.upsert(some); // throws if a write fails
                    during.addAll(some);
                    IndexEntry probe = before.get(batch);
                    assertThat(index.search(probe.vector(), 5, IndexFilter.NONE)).hasSize(5).first()
                            .extracting(IndexHit::id).isEqualTo(probe.id());
                }
                index.refresh();
                assertThat(index.count()).isEqualTo(200);
                for (IndexEntry e : List.of(before.getFirst(), during.getFirst(), during.getLast())) {
                    assertThat(index.get(e.id())).hasValueSatisfying(stored -> assertThat(stored.vector()).containsExactly(e.vector()));
                    assertThat(index.search(e.vector(), 1, new IndexFilter(Set.of(AuditKind.EXECUTION), null, null, null, null)))
                            .extracting(IndexHit::id).containsExactly(e.id());
                }
                assertThat(index.health().up()).isTrue();
            } finally {
                cluster.startNode(1);
            }
            IndexEntry after = entry();
            index.upsert(List.of(after));
            index.refresh();
            assertThat(index.count()).isEqualTo(201);
        }
    }
}
