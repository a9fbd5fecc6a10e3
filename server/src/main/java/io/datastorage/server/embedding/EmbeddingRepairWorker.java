package io.datastorage.server.embedding;

import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.PendingEmbedding;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Embeds records stored with their embedding pending, oldest first, one batch at a time, a bounded
 * number of batches per run so that repair never monopolises the model while live writes wait.
 */
@Component
public class EmbeddingRepairWorker {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingRepairWorker.class);
    static final int MAX_BATCHES_PER_RUN = 20;

    private final AuditStore store;
    private final RecordEmbedder embedder;
    private final int batchSize;

    public EmbeddingRepairWorker(AuditStore store, RecordEmbedder embedder, DatastorageProperties properties) {
        this.store = store;
        this.embedder = embedder;
        this.batchSize = properties.embedding().repairBatchSize();
    }

    @Scheduled(initialDelayString = "${datastorage.embedding.repair-interval:5s}",
            fixedDelayString = "${datastorage.embedding.repair-interval:5s}")
    void run() {
        try {
            int repaired = 0;
            for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
                int done = repairOneBatch();
                repaired += done;
                if (done < batchSize) {
                    break;
                }
            }
            if (repaired > 0) {
                log.info("Embedded {} record(s) whose embedding was pending", repaired);
            }
        } catch (RuntimeException e) {
            log.warn("Embedding repair failed; it runs again later", e);
        }
    }

    /** @return how many records were embedded; fewer than a batch means the backlog is (for now) empty */
    int repairOneBatch() {
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
