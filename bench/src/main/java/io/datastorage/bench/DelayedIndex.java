package io.datastorage.bench;

import io.datastorage.core.index.CrashRecovery;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHealth;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.index.VectorIndex;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An index that stands for a remote one: every call sleeps a fixed {@code delay} (a simulated
 * network round trip; nothing crosses a network), then runs on the wrapped in-process index. Says
 * it is {@linkplain #remote() remote}, as a server-backed index would.
 */
final class DelayedIndex implements VectorIndex {
    private final VectorIndex delegate;
    private final Duration delay;

    DelayedIndex(VectorIndex delegate, Duration delay) {
        this.delegate = delegate;
        this.delay = delay;
    }

    private void roundTrip() {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the simulated round trip", e);
        }
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        roundTrip();
        delegate.upsert(entries);
    }

    @Override
    public void delete(Collection<UUID> ids) {
        roundTrip();
        delegate.delete(ids);
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        roundTrip();
        return delegate.search(vector, k, filter);
    }

    @Override
    public long count() {
        roundTrip();
        return delegate.count();
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        roundTrip();
        return delegate.ids(after, limit);
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        roundTrip();
        return delegate.get(id);
    }

    @Override
    public SliceDigest digest(int bits) {
        roundTrip();
        return delegate.digest(bits);
    }

    @Override
    public Map<UUID, Long> fingerprints(int slice, int bits) {
        roundTrip();
        return delegate.fingerprints(slice, bits);
    }

    @Override
    public void refresh() {
        roundTrip();
        delegate.refresh();
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public IndexHealth health() {
        return delegate.health();
    }

    @Override
    public int dimension() {
        return delegate.dimension();
    }

    @Override
    public Optional<CrashRecovery> crashRecovery() {
        return delegate.crashRecovery();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
