package io.datastorage.core.repair;

import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.job.BatchedJob;
import io.datastorage.core.job.JobContext;
import io.datastorage.core.store.EmbeddingBacklog;
import io.datastorage.core.store.PendingEmbedding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Embeds records stored with their embedding pending, oldest first, one batch at a time, at most
 * {@link #MAX_BATCHES_PER_RUN} batches per run so that repair never monopolises the model while
 * live writes wait. The records then wait for their indexing ({@link IndexRepairJob}).
 *
 * <p>An embedder that still fails ends the run quietly (the {@link RecordEmbedder} logged and
 * counted it): the records stay pending and the next run tries them again.
 */
public final class EmbeddingRepairJob implements BatchedJob {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingRepairJob.class);
    /** Batches per run, so live writes get the model between runs. */
    public static final int MAX_BATCHES_PER_RUN = 20;

    private final EmbeddingBacklog store;
    private final RecordEmbedder embedder;
    private final int batchSize;

    public EmbeddingRepairJob(EmbeddingBacklog store, RecordEmbedder embedder, int batchSize) {
        this.store = Objects.requireNonNull(store, "store");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return "embedding-repair";
    }

    /**
     * Embeds up to {@link #MAX_BATCHES_PER_RUN} batches, stopping after the first short one, the
     * first the embedder failed, or when {@code context} says so.
     *
     * @return how many records were embedded
     * @throws RuntimeException the store failed (logged); the records embedded before stay embedded
     */
    @Override
    public long runOnce(JobContext context) {
        AtomicLong repaired = new AtomicLong();
        try {
            return BatchedJob.drain(context, MAX_BATCHES_PER_RUN, batchSize, this::repairOneBatch, repaired);
        } catch (RuntimeException e) {
            log.warn("Embedding repair failed; it runs again later", e);
            throw e;
        } finally {
            if (repaired.get() > 0) {
                log.info("Embedded {} record(s) whose embedding was pending", repaired.get());
            }
        }
    }

    /** @return how many records were embedded; fewer than a batch means the backlog is (for now) empty */
    private int repairOneBatch() {
        List<PendingEmbedding> pending = store.pendingEmbeddings(batchSize);
        if (pending.isEmpty()) {
            return 0;
        }
        List<float[]> vectors = embedder.embedDocuments(pending.stream().map(PendingEmbedding::kind).toList(),
                pending.stream().map(PendingEmbedding::document).toList());
        if (vectors == null) {
            return 0; // the embedder is still failing; the records stay pending
        }
        Map<PendingEmbedding, float[]> done = new LinkedHashMap<>();
        for (int i = 0; i < pending.size(); i++) {
            done.put(pending.get(i), vectors.get(i));
        }
        store.completeEmbeddings(done);
        return pending.size();
    }
}
