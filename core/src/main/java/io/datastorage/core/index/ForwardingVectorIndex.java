package io.datastorage.core.index;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Base of the indexes that wrap another (fault switches, simulated latency, counters): every
 * method passes to the delegate, the interface's default methods included. A wrapper that
 * implemented {@link VectorIndex} directly would silently get a default where the delegate has
 * its own answer ({@link #writtenAt} knowing no write times makes every entry look old to the
 * reconciler; {@link #remote()} false picks the wrong write order; {@link #crashRecovery()} empty
 * replays everything); here a subclass overrides only what it changes.
 *
 * <p>{@link #beforeCall()} runs before each call that reads or writes the index's data (not before
 * {@link #health()}, {@link #dimension()}, {@link #remote()}, {@link #crashRecovery()},
 * {@link #writesSettledBefore()} or {@link #close()}): where a wrapper fails or delays a call.
 */
public abstract class ForwardingVectorIndex implements VectorIndex {
    protected final VectorIndex delegate;

    protected ForwardingVectorIndex(VectorIndex delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Runs before each data call; this default does nothing. May throw to fail the call. */
    protected void beforeCall() {
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        beforeCall();
        delegate.upsert(entries);
    }

    @Override
    public void delete(Collection<UUID> ids) {
        beforeCall();
        delegate.delete(ids);
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, IndexFilter filter) {
        beforeCall();
        return delegate.search(vector, k, filter);
    }

    @Override
    public long count() {
        beforeCall();
        return delegate.count();
    }

    @Override
    public List<UUID> ids(UUID after, int limit) {
        beforeCall();
        return delegate.ids(after, limit);
    }

    @Override
    public Optional<IndexEntry> get(UUID id) {
        beforeCall();
        return delegate.get(id);
    }

    @Override
    public SliceDigest digest(int bits) {
        beforeCall();
        return delegate.digest(bits);
    }

    @Override
    public Map<UUID, Long> fingerprints(int slice, int bits) {
        beforeCall();
        return delegate.fingerprints(slice, bits);
    }

    @Override
    public Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
        beforeCall();
        return delegate.writtenAt(ids);
    }

    @Override
    public void refresh() {
        beforeCall();
        delegate.refresh();
    }

    @Override
    public Optional<Instant> writesSettledBefore() {
        return delegate.writesSettledBefore();
    }

    @Override
    public boolean remote() {
        return delegate.remote();
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
