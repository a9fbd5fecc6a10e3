package io.datastorage.server.index;

import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.server.config.DatastorageProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

import java.util.List;

/**
 * Indexes records stored with their indexing pending (the index failed, or their embedding came
 * later), oldest first, a bounded number of batches per run so live writes keep the index. Its
 * calls go through the same circuit breaker as the write path: while the breaker is open they are
 * refused at once, and its first batch after the breaker's wait is the half-open probe.
 */
public class IndexRepairWorker {
    private static final Logger log = LoggerFactory.getLogger(IndexRepairWorker.class);
    static final int MAX_BATCHES_PER_RUN = 10;

    private final AuditStore store;
    private final GuardedIndex index;
    private final int batchSize;

    public IndexRepairWorker(AuditStore store, GuardedIndex index, DatastorageProperties properties) {
        this.store = store;
        this.index = index;
        this.batchSize = properties.index().repairBatchSize();
    }

    @Scheduled(initialDelayString = "${datastorage.index.repair-interval:1s}",
            fixedDelayString = "${datastorage.index.repair-interval:1s}")
    void run() {
        int repaired = 0;
        try {
            for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
                int done = repairOneBatch();
                repaired += done;
                if (done < batchSize) {
                    break;
                }
            }
        } catch (IndexUnavailableException e) {
            log.debug("Index repair waits: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Index repair failed; it runs again later", e);
        }
        if (repaired > 0) {
            log.info("Indexed {} record(s) whose indexing was pending", repaired);
        }
    }

    /** @return how many records were indexed; fewer than a batch means the backlog is (for now) empty */
    int repairOneBatch() {
        List<IndexableRecord> pending = store.pendingIndex(batchSize);
        if (pending.isEmpty()) {
            return 0;
        }
        index.upsert(pending.stream().map(IndexableRecord::toEntry).toList());
        store.completeIndex(pending);
        return pending.size();
    }
}
