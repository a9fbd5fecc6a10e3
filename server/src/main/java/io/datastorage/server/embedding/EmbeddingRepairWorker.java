package io.datastorage.server.embedding;

import io.datastorage.core.job.BackgroundJob;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Runs the embedding repair ({@link io.datastorage.core.repair.EmbeddingRepairJob}) every
 * {@code datastorage.embedding.repair-interval}. Only the schedule is here; the job logs what it
 * did and why it failed.
 */
public class EmbeddingRepairWorker {
    private final BackgroundJob job;

    public EmbeddingRepairWorker(BackgroundJob job) {
        this.job = job;
    }

    @Scheduled(initialDelayString = "${datastorage.embedding.repair-interval:5s}",
            fixedDelayString = "${datastorage.embedding.repair-interval:5s}")
    void run() {
        try {
            job.runOnce();
        } catch (RuntimeException e) {
            // Logged by the job; the next run tries again.
        }
    }
}
