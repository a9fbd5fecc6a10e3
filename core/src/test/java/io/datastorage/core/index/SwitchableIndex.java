package io.datastorage.core.index;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Any index behind a switch that makes it fail as unavailable, a count of the upserts that
 * reached it, a hook run during each upsert, and write times it can move back: for fault tests
 * over real backends.
 */
public final class SwitchableIndex extends ForwardingVectorIndex {
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger upserts = new AtomicInteger();
    private volatile Runnable duringUpsert = () -> { };
    private final Map<UUID, Instant> backdated = new ConcurrentHashMap<>();

    public SwitchableIndex(VectorIndex delegate) {
        super(delegate);
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

    @Override
    protected void beforeCall() {
        if (down.get()) {
            throw new IndexUnavailableException("index switched down by the test", null);
        }
    }

    @Override
    public void upsert(List<IndexEntry> entries) {
        upserts.incrementAndGet();
        super.upsert(entries);
        entries.forEach(entry -> backdated.remove(entry.id()));
        duringUpsert.run();
    }

    @Override
    public Map<UUID, Instant> writtenAt(Collection<UUID> ids) {
        Map<UUID, Instant> times = new HashMap<>(super.writtenAt(ids));
        times.replaceAll((id, at) -> backdated.getOrDefault(id, at));
        return times;
    }

    @Override
    public IndexHealth health() {
        return down.get() ? IndexHealth.down("switched down") : delegate.health();
    }
}
