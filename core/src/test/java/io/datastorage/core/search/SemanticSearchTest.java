package io.datastorage.core.search;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.embedding.RecordingEmbedder;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.store.AuditRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SemanticSearchTest {
    private static final int DIMENSION = RecordingEmbedder.DIMENSION;
    private static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");

    private final InMemoryVectorIndex index = new InMemoryVectorIndex(DIMENSION);
    private final Map<UUID, float[]> vectors = new LinkedHashMap<>();
    private final Map<UUID, AuditRecord> records = new LinkedHashMap<>();
    private final Map<UUID, IndexMetadata> metadata = new LinkedHashMap<>();
    private final AtomicInteger degradations = new AtomicInteger();
    private final RecordingEmbedder embedder = new RecordingEmbedder();
    private final Random random = new Random(3);

    /** The records in memory; the exact scan honours the filter and newest-first order like PostgreSQL does. */
    private final SearchStore store = new SearchStore() {
        @Override
        public List<AuditRecord> records(Collection<UUID> ids) {
            return ids.stream().filter(records::containsKey).map(records::get).toList();
        }

        @Override
        public List<StoredVector> newestVectors(IndexFilter filter, int maxRows) {
            return metadata.entrySet().stream().filter(e -> filter.matches(e.getValue()))
                    .sorted(Comparator.comparing((Map.Entry<UUID, IndexMetadata> e) -> e.getValue().createdAt()).reversed())
                    .limit(maxRows).map(e -> new StoredVector(e.getKey(), vectors.get(e.getKey()))).toList();
        }
    };

    private final SemanticSearch search = new SemanticSearch(index, store, embedder, 1000, degradations::incrementAndGet);

    private UUID add(AuditKind kind, String namespace, float[] vector, int minute) {
        UUID id = UUID.randomUUID();
        IndexMetadata meta = new IndexMetadata(kind, namespace, "Completed", T0.plusSeconds(60L * minute), null);
        vectors.put(id, vector);
        metadata.put(id, meta);
        records.put(id, new AuditRecord(id, kind, T0, Map.of("namespace", namespace), true, true));
        index.upsert(List.of(new IndexEntry(id, vector, meta)));
        return id;
    }

    private float[] randomVector() {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static List<UUID> ids(SearchResult result) {
        return result.hits().stream().map(h -> h.record().id()).toList();
    }

    @Test
    void findsTheMostSimilarFirstWithScoresBetweenZeroAndOne() {
        for (int i = 0; i < 50; i++) {
            add(AuditKind.WORKFLOW, "prod", randomVector(), i);
        }
        float[] query = randomVector();
        UUID same = add(AuditKind.WORKFLOW, "prod", query.clone(), 99);

        SearchResult result = search.search(new SearchRequest(null, query, IndexFilter.NONE, 10, 0));

        assertThat(result.degraded()).isFalse();
        assertThat(result.hits()).hasSize(10);
        assertThat(result.hits().getFirst().record().id()).isEqualTo(same);
        assertThat(result.hits().getFirst().score()).isCloseTo(1.0, within(1e-6));
        assertThat(result.hits()).allSatisfy(hit -> assertThat(hit.score()).isBetween(0.0, 1.0));
        assertThat(result.hits()).extracting(SearchResult.Hit::score).isSortedAccordingTo(Comparator.reverseOrder());
    }

    @Test
    void embedsAQueryTextWithTheRecordsModel() {
        UUID match = add(AuditKind.EXECUTION, "prod", RecordingEmbedder.vectorOf("pod OOMKilled"), 1);
        add(AuditKind.EXECUTION, "prod", RecordingEmbedder.vectorOf("disk full"), 2);

        SearchResult result = search.search(new SearchRequest("pod OOMKilled", null, IndexFilter.NONE, 1, 0));

        assertThat(ids(result)).containsExactly(match);
        assertThat(embedder.calls()).containsExactly(List.of("pod OOMKilled"));
    }

    @Test
    void leavesOutResultsBelowTheMinimumScoreAndHitsWithoutARecord() {
        float[] query = randomVector();
        UUID close = add(AuditKind.WORKFLOW, "prod", query.clone(), 1);
        float[] opposite = query.clone();
        for (int i = 0; i < DIMENSION; i++) {
            opposite[i] = -opposite[i];
        }
        add(AuditKind.WORKFLOW, "prod", opposite, 2);
        UUID orphan = add(AuditKind.WORKFLOW, "prod", query.clone(), 3);
        records.remove(orphan);

        SearchResult result = search.search(new SearchRequest(null, query, IndexFilter.NONE, 10, 0.5));

        assertThat(ids(result)).containsExactly(close);
    }

    @Test
    void whenTheIndexIsDownScansTheStoreExactlyAndSaysSo() {
        for (int i = 0; i < 40; i++) {
            add(AuditKind.WORKFLOW, i % 4 == 0 ? "prod" : "dev", randomVector(), i);
        }
        float[] query = randomVector();
        IndexFilter filter = new IndexFilter(Set.of(AuditKind.WORKFLOW), "prod", null, null, null);
        SearchResult normal = search.search(new SearchRequest(null, query, filter, 5, 0));

        index.down(true);
        SearchResult degraded = search.search(new SearchRequest(null, query, filter, 5, 0));

        assertThat(degraded.degraded()).isTrue();
        assertThat(degradations).hasValue(1);
        assertThat(ids(degraded)).isEqualTo(ids(normal)).hasSize(5);
        assertThat(degraded.hits()).allSatisfy(hit -> assertThat(hit.record().document()).containsEntry("namespace", "prod"));
    }

    @Test
    void refusesAVectorOfTheWrongDimension() {
        assertThatThrownBy(() -> search.search(new SearchRequest(null, new float[DIMENSION + 1], IndexFilter.NONE, 1, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimensions");
        assertThatThrownBy(() -> new SearchRequest("q", new float[1], IndexFilter.NONE, 1, 0))
                .hasMessageContaining("exactly one");
        assertThatThrownBy(() -> new SearchRequest("q", null, IndexFilter.NONE, 101, 0)).hasMessageContaining("1..100");
        assertThatThrownBy(() -> new SearchRequest("q", null, IndexFilter.NONE, 1, 1.5)).hasMessageContaining("0..1");
    }
}
