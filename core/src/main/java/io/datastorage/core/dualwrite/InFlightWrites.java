package io.datastorage.core.dualwrite;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids whose vectors a write of this process has put into the index before its transaction
 * ended, and, for a while, the ids whose write here has ended. Until its transaction ends such a
 * vector has no committed record behind it yet, and reconciliation must not take it for an
 * orphan.
 *
 * <p>Why this stays beside the reconciler's grace period (which spares every entry younger than
 * it, whoever wrote it): the grace period judges a write by its age; this set knows the writes of
 * this process exactly. A write in flight here is spared however long it takes (the write
 * deadline bounds what a write waits for, not a commit PostgreSQL has begun), and an entry whose
 * write here has ended without a commit (the compensating delete failed, or the commit's outcome
 * was unknown and it had not landed) is removed by the next reconciliation instead of after the
 * grace period. Only the writes of other processes, which this process cannot see, wait for the
 * grace period; with an embedded index there are none.
 *
 * <p>Ended writes are remembered for {@link #REMEMBER_ENDED} and at most
 * {@value #MAX_ENDED} ids (about 10 MB); an id forgotten sooner falls back to the grace period,
 * which is the safe side.
 */
public final class InFlightWrites {
    /** How long the id of a write that ended here is remembered; longer than any grace period allowed. */
    public static final Duration REMEMBER_ENDED = Duration.ofHours(1);
    static final int MAX_ENDED = 100_000;

    private final Set<UUID> ids = ConcurrentHashMap.newKeySet();
    private final Cache<UUID, Boolean> ended = Caffeine.newBuilder()
            .expireAfterWrite(REMEMBER_ENDED).maximumSize(MAX_ENDED).build();

    void begin(Collection<UUID> writing) {
        ids.addAll(writing);
    }

    void end(Collection<UUID> written) {
        written.forEach(id -> ended.put(id, Boolean.TRUE));
        ids.removeAll(written);
    }

    /** Whether a write of this process is between putting this id's vector in and ending its transaction. */
    public boolean contains(UUID id) {
        return ids.contains(id);
    }

    /**
     * Whether a write of this process put this id's vector in and has ended since (committed or
     * not): its entry is settled, whatever its age. False when not known (never written here, or
     * forgotten).
     */
    public boolean endedHere(UUID id) {
        return ended.getIfPresent(id) != null;
    }
}
