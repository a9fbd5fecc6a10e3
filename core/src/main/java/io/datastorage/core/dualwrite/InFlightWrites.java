package io.datastorage.core.dualwrite;

import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ids whose vectors a write has put into the index before its transaction ended. Until then
 * such a vector has no committed record behind it yet, and reconciliation must not take it for
 * an orphan. Covers the writes of this process, which is every writer of an embedded index.
 */
public final class InFlightWrites {
    private final Set<UUID> ids = ConcurrentHashMap.newKeySet();

    void begin(Collection<UUID> writing) {
        ids.addAll(writing);
    }

    void end(Collection<UUID> written) {
        ids.removeAll(written);
    }

    public boolean contains(UUID id) {
        return ids.contains(id);
    }
}
