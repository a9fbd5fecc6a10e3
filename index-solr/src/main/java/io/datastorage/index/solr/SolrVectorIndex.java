package io.datastorage.index.solr;

import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHealth;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.VectorIndex;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The SolrCloud vector index. SKELETON: being built; every call fails until then. */
public final class SolrVectorIndex implements VectorIndex {
    private final SolrIndexConfig config;

    private SolrVectorIndex(SolrIndexConfig config) {
        this.config = config;
    }

    /** Connects, creates the collection when absent, validates an existing one. */
    public static SolrVectorIndex open(SolrIndexConfig config) {
        return new SolrVectorIndex(config);
    }

    public SolrIndexConfig config() {
        return config;
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public void delete(Collection<UUID> ids) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public long count() {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        throw new UnsupportedOperationException("not built yet");
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public IndexHealth health() {
        return IndexHealth.down("not built yet");
    }

    @Override
    public int dimension() {
        return config.dimension();
    }

    @Override
    public void close() {
    }
}
