package io.datastorage.core.store;

import io.datastorage.core.index.SliceDigest;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the vector index should hold, as the system of record knows it: for reconciliation
 * (digests, fingerprints, the records to re-index) and for replaying into an index that lost its
 * latest writes. Contract checked by {@code VectorLedgerContract}; failures of the store throw
 * {@link StoreUnavailableException} (transient) or {@link StoreException}.
 */
public interface VectorLedger {

    /**
     * What the vector index should hold, per slice of the id space: the records that have an
     * embedding, counted with the fingerprint kept when they were marked indexed (0 when none was
     * kept yet: a pending record, or one indexed before fingerprints were kept).
     */
    SliceDigest vectorDigest(int bits);

    /**
     * The records of one slice that have an embedding, by id, with their kept fingerprint or
     * null when none was kept.
     */
    Map<UUID, Long> vectorFingerprints(int slice, int bits);

    /** Those of these records that have an embedding, with it; in no particular order. */
    List<IndexableRecord> indexable(Collection<UUID> ids);

    /**
     * Records marked indexed that were received at or after {@code since}, in (received, id) order,
     * after {@code after} (null: from the first): for replaying into an index that lost its most
     * recent writes in a crash. Ids compare as PostgreSQL orders {@code uuid} values (their
     * canonical string form).
     */
    List<IndexableRecord> indexedSince(Instant since, IndexableRecord after, int limit);
}
