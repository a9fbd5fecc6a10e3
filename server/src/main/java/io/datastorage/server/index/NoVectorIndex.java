package io.datastorage.server.index;

import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHealth;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.VectorIndex;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The index of {@code datastorage.index.type=none}: holds nothing and refuses searches with
 * {@link IndexUnavailableException}, which is what turns every search into the degraded exact scan
 * of PostgreSQL. (That exception promises a retry may help; here none will, but it is the signal
 * the search understands, and the search answers.) Nothing writes to it: the store-only
 * coordinator never calls {@link #upsert}.
 */
final class NoVectorIndex implements VectorIndex {
    private static final String NONE = "there is no vector index (datastorage.index.type=none)";

    private final int dimension;

    NoVectorIndex(int dimension) {
        this.dimension = dimension;
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        throw new IndexUnavailableException(NONE, null);
    }

    @Override
    public void delete(Collection<UUID> ids) {
        // Holds nothing, so nothing to delete.
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        throw new IndexUnavailableException(NONE, null);
    }

    @Override
    public long count() {
        return 0;
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        return List.of();
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        return Optional.empty();
    }

    @Override
    public IndexHealth health() {
        return IndexHealth.down(NONE);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void close() {
    }
}
