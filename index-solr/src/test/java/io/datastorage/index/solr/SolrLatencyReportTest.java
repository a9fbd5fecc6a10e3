package io.datastorage.index.solr;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.VectorIndexContract;
import io.datastorage.solr.testcluster.SolrCloudForTests;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prints rough latencies of the index on the test cluster (2 nodes on one machine, a collection
 * of 2 shards x 2 replicas, 384 dimensions): upserts of 1 and 100 entries, searches without a
 * filter and with a selective one. No thresholds: the figures depend on the machine; the bench
 * measures properly.
 */
class SolrLatencyReportTest {
    private static final int DIMENSION = 384;
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private final Random random = new Random(384);

    private IndexEntry entry(AuditKind kind) {
        UUID id = UUID.randomUUID();
        return new IndexEntry(id, VectorIndexContract.randomUnitVector(random, DIMENSION),
                new IndexMetadata(kind, "prod", "Completed", T0.plusSeconds(random.nextInt(100_000)), "c-" + id));
    }

    @Test
    void printsUpsertAndSearchLatenciesOnTheTestCluster() {
        try (SolrVectorIndex index = SolrVectorIndex.open(SolrTestSupport.config(SolrCloudForTests.shared(), "latency", 2, 2,
                DIMENSION))) {
            SolrTestSupport.clear(SolrCloudForTests.shared(), "latency");
            List<IndexEntry> bulk = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                bulk.add(entry(i % 100 == 0 ? AuditKind.REMEDIATION : AuditKind.EXECUTION));
            }
            String batches = measure("upsert, batch of 100", 30, i -> index.upsert(bulk.subList(i * 100, i * 100 + 100)));
            String singles = measure("upsert, batch of 1", 100, i -> index.upsert(List.of(entry(AuditKind.WORKFLOW))));
            index.refresh();
            IndexFilter selective = new IndexFilter(Set.of(AuditKind.REMEDIATION), null, null, null, null);
            String plain = measure("search k=10, no filter", 100,
                    i -> index.search(VectorIndexContract.randomUnitVector(random, DIMENSION), 10, IndexFilter.NONE));
            String filtered = measure("search k=10, filter matching 30 of 3,100", 100,
                    i -> index.search(VectorIndexContract.randomUnitVector(random, DIMENSION), 10, selective));
            System.out.printf(Locale.ROOT, "Solr index latencies (%d entries, 2 shards x 2 replicas, %d dimensions):%n%s%n%s%n%s%n%s%n",
                    index.count(), DIMENSION, batches, singles, plain, filtered);
            assertThat(index.count()).isEqualTo(3_100);
        }
    }

    private static String measure(String what, int times, IntConsumer call) {
        long[] nanos = new long[times];
        for (int i = 0; i < times; i++) {
            long start = System.nanoTime();
            call.accept(i);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "  %-42s p50 %6.1f ms  p90 %6.1f ms  max %6.1f ms (%d calls)", what,
                nanos[times / 2] / 1e6, nanos[times * 9 / 10] / 1e6, nanos[times - 1] / 1e6, times);
    }
}
