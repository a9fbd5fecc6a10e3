package io.datastorage.core.store;

import java.util.List;
import java.util.Map;

/**
 * The records stored without their embedding ("embedding pending"), for the repair that computes
 * it later. Contract checked by {@code EmbeddingBacklogContract}; failures of the store throw
 * {@link StoreUnavailableException} (transient) or {@link StoreException}.
 */
public interface EmbeddingBacklog {

    /**
     * Up to {@code limit} records whose embedding is pending, oldest received first; records
     * received together in the order of their ids ({@link VectorLedger#indexedSince}'s order).
     */
    List<PendingEmbedding> pendingEmbeddings(int limit);

    /**
     * Stores embeddings computed later and clears the pending marks. A record whose mark is already
     * clear is left alone.
     *
     * @return how many records were updated
     */
    int completeEmbeddings(Map<PendingEmbedding, float[]> embeddings);

    /** How many records wait for their embedding. */
    long countPendingEmbeddings();
}
