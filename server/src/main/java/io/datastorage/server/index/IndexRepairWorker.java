package io.datastorage.server.index;

import io.datastorage.core.job.BackgroundJob;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Runs the index repair ({@link io.datastorage.core.repair.IndexRepairJob}) every
 * {@code datastorage.index.repair-interval}. Only the schedule is here; the job logs what it did
 * and why it failed.
 */
public class IndexRepairWorker {
    private final BackgroundJob job;

    public IndexRepairWorker(BackgroundJob job) {
        this.job = job;
    }

    @Scheduled(initialDelayString = "${datastorage.index.repair-interval:1s}",
            fixedDelayString = "${datastorage.index.repair-interval:1s}")
    void run() {
        try {
            job.runOnce();
        } catch (RuntimeException e) {
            // Logged by the job; the next run tries again.
        }
    }
}
