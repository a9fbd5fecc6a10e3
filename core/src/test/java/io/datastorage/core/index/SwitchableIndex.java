package io.datastorage.core.index;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Any index behind a switch that makes it fail as unavailable, a count of the upserts that
 * reached it, a hook run during each upsert, and write times it can move back: for fault tests
 * over real backends.
 */
public final class SwitchableIndex implements VectorIndex {
    private final VectorIndex delegate;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger upserts = new AtomicInteger();
    private volatile Runnable duringUpsert = () -> { };
    private final Map<UUID, Instant> backdated = new ConcurrentHashMap<>();

    public SwitchableIndex(VectorIndex delegate) {
        this.delegate = delegate;
    }

    public void down(boolean isDown) {
        down.set(isDown);
    }

    public void duringUpsert(Runnable hook) {
        duringUpsert = hook;
    }

    /**
     * Reports {@code writtenAt} as the write time of {@code id} from now on, as if its entry had
     * been written then (an orphan left from long ago), until it is upserted again.
     */
    public void backdate(UUID id, Instant writtenAt) {
        backdated.put(id, writtenAt);
    }

    /** Upsert calls that reached the index (failed ones included). */
    public int upserts() {
        return upserts.get();
    }

    private void checkUp() {
        if (down.get()) {
            throw new IndexUnavailableException("index switched down by the test", null);
        }
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        upserts.incrementAndGet();
        checkUp();
        delegate.upsert(entries);
        entries.forEach(entry -> backdated.remove(entry.id()));
        duringUpsert.run();
    }

    @Override
    public SliceDigest digest(int bits) {
        checkUp();
        return delegate.digest(bits);
    }

    @Override
    public Map<UUID, Long> fingerprints(int slice, int bits) {
        checkUp();
        return delegate.fingerprints(slice, bits);
    }

    @Override
    public Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
        checkUp();
        Map<UUID, Instant> times = new HashMap<>(delegate.writtenAt(ids));
        times.replaceAll((id, at) -> backdated.getOrDefault(id, at));
        return times;
    }

    @Override
    public Optional<Instant> writesSettledBefore() {
        return delegate.writesSettledBefore();
    }

    @Override
    public void refresh() {
        checkUp();
        delegate.refresh();
    }

    @Override
    public void delete(Collection<UUID> ids) {
        checkUp();
        delegate.delete(ids);
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        checkUp();
        return delegate.search(vector, k, filter);
    }

    @Override
    public long count() {
        checkUp();
        return delegate.count();
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        checkUp();
        return delegate.ids(after, limit);
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        checkUp();
        return delegate.get(id);
    }

    @Override
    public boolean remote() {
        return delegate.remote();
    }

    @Override
    public IndexHealth health() {
        return down.get() ? IndexHealth.down("switched down") : delegate.health();
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
