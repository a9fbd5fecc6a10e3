package io.datastorage.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The records whose vector is not in the index yet ("index pending"), for the repair that indexes
 * them later. Contract checked by {@code IndexBacklogContract}; failures of the store throw
 * {@link StoreUnavailableException} (transient) or {@link StoreException}.
 */
public interface IndexBacklog {

    /**
     * Up to {@code limit} records with an embedding whose vector is not indexed yet, oldest received
     * first; records received together in the order of their ids ({@link VectorLedger#indexedSince}'s order).
     */
    List<IndexableRecord> pendingIndex(int limit);

    /**
     * Marks these records indexed and keeps the fingerprint of their index entry
     * ({@link IndexableRecord#fingerprint()}) for reconciliation. A record already marked indexed
     * with that fingerprint is left alone; one kept with another fingerprint gets this one.
     *
     * @return how many records were updated
     */
    int completeIndex(List<IndexableRecord> indexed);

    /** How many records wait for their vector to be indexed (their embedding included or not). */
    long countPendingIndex();

    /** When the record that has waited longest for its vector to be indexed arrived; empty when none waits. */
    Optional<Instant> oldestPendingIndex();
}
