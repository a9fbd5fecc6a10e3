package io.datastorage.core.search;

import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.store.AuditRecord;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/** What semantic search reads from the system of record. */
public interface SearchStore {

    /** A stored record's embedding. */
    record StoredVector(UUID id, float[] embedding) {
    }

    /** The stored records with these ids, in no particular order; ids not stored are left out. */
    List<AuditRecord> records(Collection<UUID> ids);

    /**
     * The embeddings of the newest records (by {@code createdAt}, then id) that match the filter
     * and have one, at most {@code maxRows}: what degraded search scans exactly.
     */
    List<StoredVector> newestVectors(IndexFilter filter, int maxRows);
}
