package io.datastorage.core.search;

import io.datastorage.core.embedding.Embedder;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.index.VectorIndexes;
import io.datastorage.core.store.AuditRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Search by meaning. Normally the vector index answers (filter applied before the top k) and the
 * records are read from PostgreSQL. When the index is unavailable, the newest matching records'
 * embeddings in PostgreSQL (at most {@code degradedMaxScan}) are compared exactly instead, and the
 * result says {@code degraded}: slower and bounded, but answered.
 */
public final class SemanticSearch {
    private static final Logger log = LoggerFactory.getLogger(SemanticSearch.class);

    /** Told when a search falls back to the exact scan. */
    @FunctionalInterface
    public interface DegradedListener {
        void degraded();
    }

    private final VectorIndex index;
    private final SearchStore store;
    private final Embedder embedder;
    private final int degradedMaxScan;
    private final DegradedListener listener;
    private static final long DEGRADED_WARNING_EVERY_NANOS = 60_000_000_000L;
    private final AtomicLong lastDegradedWarning = new AtomicLong();

    public SemanticSearch(VectorIndex index, SearchStore store, Embedder embedder, int degradedMaxScan,
                          DegradedListener listener) {
        this.index = Objects.requireNonNull(index, "index");
        this.store = Objects.requireNonNull(store, "store");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        if (degradedMaxScan < 1) {
            throw new IllegalArgumentException("degradedMaxScan must be at least 1, was " + degradedMaxScan);
        }
        this.degradedMaxScan = degradedMaxScan;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** The dimension a query vector must have. */
    public int dimension() {
        return index.dimension();
    }

    /**
     * @throws IllegalArgumentException a query vector of the wrong dimension
     * @throws io.datastorage.core.error.DatastorageException of {@link io.datastorage.core.error.Component#EMBEDDER}
     *         when the query text could not be embedded, of {@link io.datastorage.core.error.Component#POSTGRESQL}
     *         when PostgreSQL failed (either branch); a transient failure of the index is not thrown
     *         but answered by the exact scan
     */
    public SearchResult search(SearchRequest request) {
        float[] vector = request.vector() != null ? request.vector() : embedder.embed(List.of(request.query())).getFirst();
        if (vector.length != index.dimension()) {
            throw new IllegalArgumentException("the vector has " + vector.length + " dimensions; records have "
                    + index.dimension());
        }
        List<IndexHit> hits;
        boolean degraded = false;
        try {
            hits = index.search(vector, request.topK(), request.filter());
        } catch (TransientException e) {
            // The index cannot answer now (down, its breaker open, or none configured): answer exactly instead.
            // Once a minute at most: without an index (datastorage.index.type=none) every search
            // comes here, and the counter the listener keeps says how often.
            long now = System.nanoTime();
            long last = lastDegradedWarning.get();
            if ((last == 0 || now - last >= DEGRADED_WARNING_EVERY_NANOS) && lastDegradedWarning.compareAndSet(last, now)) {
                log.warn("Vector index unavailable ({}); searching the newest {} matching records exactly (said once "
                        + "a minute at most)", e.getMessage(), degradedMaxScan);
            } else {
                log.debug("Vector index unavailable ({}); searching exactly", e.getMessage());
            }
            listener.degraded();
            hits = exactScan(vector, request);
            degraded = true;
        }
        return new SearchResult(hydrate(hits, request.minScore()), degraded);
    }

    /**
     * Scores the newest matching records exactly. Records sharing a vector tie; the scan comes
     * newest first and the sort is stable, so they stay newest first, as the index orders them.
     * Their count covers the scanned records only.
     */
    private List<IndexHit> exactScan(float[] vector, SearchRequest request) {
        List<SearchStore.StoredVector> scanned = store.newestVectors(request.filter(), degradedMaxScan).stream()
                .filter(candidate -> candidate.embedding().length == vector.length)
                .toList();
        Map<String, Long> sharing = new HashMap<>();
        List<String> keys = new ArrayList<>(scanned.size());
        for (SearchStore.StoredVector candidate : scanned) {
            String key = VectorIndexes.vectorKey(candidate.embedding());
            keys.add(key);
            sharing.merge(key, 1L, Long::sum);
        }
        List<IndexHit> scored = new ArrayList<>(scanned.size());
        for (int i = 0; i < scanned.size(); i++) {
            scored.add(new IndexHit(scanned.get(i).id(), VectorIndexes.cosine(vector, scanned.get(i).embedding()),
                    sharing.get(keys.get(i))));
        }
        scored.sort(Comparator.comparingDouble(IndexHit::score).reversed());
        return scored.subList(0, Math.min(request.topK(), scored.size()));
    }

    private List<SearchResult.Hit> hydrate(List<IndexHit> hits, double minScore) {
        List<IndexHit> kept = hits.stream().filter(hit -> score(hit) >= minScore).toList();
        Map<UUID, AuditRecord> records = new HashMap<>();
        store.records(kept.stream().map(IndexHit::id).toList()).forEach(r -> records.put(r.id(), r));
        List<SearchResult.Hit> results = new ArrayList<>(kept.size());
        for (IndexHit hit : kept) {
            AuditRecord record = records.get(hit.id());
            if (record == null) {
                // An entry without a record: reconciliation deletes it; the search leaves it out.
                log.debug("Search hit {} has no record", hit.id());
                continue;
            }
            results.add(new SearchResult.Hit(score(hit), record, hit.sameVectorCount()));
        }
        return results;
    }

    private static double score(IndexHit hit) {
        return Math.max(0, Math.min(1, hit.score()));
    }
}
