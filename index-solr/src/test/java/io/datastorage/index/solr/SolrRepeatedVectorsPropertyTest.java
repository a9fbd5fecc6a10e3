package io.datastorage.index.solr;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.VectorIndexContract;
import io.datastorage.solr.testcluster.SolrCloudForTests;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Issue 14 as a property, against SolrCloud (2 shards): whatever the number of records repeating
 * other vectors (up to 3,000, over several vectors), a record whose vector is the query is found
 * first, scored 1, with and without a filter it matches, by both search paths (a selective filter
 * pre-filtering the kNN query, and the broad path).
 */
class SolrRepeatedVectorsPropertyTest {
    private static final int DIMENSION = 32;
    private static final String COLLECTION = "repeatedproperty";
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @Property(tries = 8)
    void aRecordWhoseVectorIsTheQueryIsAlwaysFound(@ForAll @IntRange(min = 0, max = 3_000) int duplicates,
                                                   @ForAll @IntRange(min = 1, max = 4) int repeatedVectors,
                                                   @ForAll @IntRange(min = 0, max = 200) int uniques,
                                                   @ForAll @IntRange(min = 1, max = 3) int holders,
                                                   @ForAll long seed) {
        Random random = new Random(seed);
        SolrIndexConfig config = SolrTestSupport.config(SolrCloudForTests.shared(), COLLECTION, 2, 1, DIMENSION);
        try (SolrVectorIndex index = SolrVectorIndex.open(config);
             SolrVectorIndex broad = SolrVectorIndex.open(config, 0)) {
            SolrTestSupport.clear(SolrCloudForTests.shared(), COLLECTION);
            List<IndexEntry> entries = new ArrayList<>();
            for (int r = 0; r < repeatedVectors; r++) {
                float[] repeated = unitVector(random);
                for (int i = 0; i < duplicates / repeatedVectors; i++) {
                    entries.add(entry(repeated, AuditKind.EXECUTION, T0.plusSeconds(random.nextInt(100_000))));
                }
            }
            for (int i = 0; i < uniques; i++) {
                entries.add(entry(unitVector(random), AuditKind.WORKFLOW, T0.plusSeconds(random.nextInt(100_000))));
            }
            float[] query = unitVector(random);
            List<IndexEntry> wanted = new ArrayList<>();
            for (int i = 0; i < holders; i++) {
                wanted.add(entry(query, AuditKind.REMEDIATION, T0.plusSeconds(random.nextInt(100_000))));
            }
            entries.addAll(random.nextInt(entries.size() + 1), wanted);
            for (int from = 0; from < entries.size(); from += 500) {
                index.upsert(entries.subList(from, Math.min(entries.size(), from + 500)));
            }
            index.refresh();

            IndexEntry newest = wanted.stream().max(Comparator.comparing((IndexEntry e) -> e.metadata().createdAt())
                    .thenComparing(e -> e.id().toString())).orElseThrow();
            for (SolrVectorIndex searched : List.of(index, broad)) {
                for (IndexFilter filter : List.of(IndexFilter.NONE, new IndexFilter(Set.of(AuditKind.REMEDIATION), null, null,
                        null, null), new IndexFilter(null, "prod", null, T0, null))) {
                    List<IndexHit> hits = searched.search(query, holders, filter);
                    assertThat(hits).as("filter %s", filter).extracting(IndexHit::id)
                            .containsExactlyInAnyOrderElementsOf(wanted.stream().map(IndexEntry::id).toList());
                    assertThat(hits.getFirst().id()).isEqualTo(newest.id());
                    assertThat(hits).allSatisfy(hit -> {
                        assertThat(hit.score()).isCloseTo(1.0, within(1e-6));
                        assertThat(hit.sameVectorCount()).isEqualTo(holders);
                    });
                }
            }
        }
    }

    private static IndexEntry entry(float[] vector, AuditKind kind, Instant createdAt) {
        UUID id = UUID.randomUUID();
        return new IndexEntry(id, vector, new IndexMetadata(kind, "prod", "Completed", createdAt, "c-" + id));
    }

    private static float[] unitVector(Random random) {
        return VectorIndexContract.randomUnitVector(random, DIMENSION);
    }
}
