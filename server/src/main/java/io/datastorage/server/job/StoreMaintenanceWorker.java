package io.datastorage.server.job;

import io.datastorage.core.job.BackgroundJob;
import org.springframework.scheduling.annotation.Scheduled;

import java.util.List;

/**
 * Runs the PostgreSQL store's upkeep every {@code datastorage.partitions.maintenance-interval}:
 * {@link io.datastorage.store.postgres.PartitionMaintenanceJob} and
 * {@link io.datastorage.store.postgres.IdempotencyPurgeJob}, each under its own lease. Only the
 * schedule is here; the jobs log what they did and why they failed.
 */
public class StoreMaintenanceWorker {
    private final List<BackgroundJob> jobs;

    public StoreMaintenanceWorker(List<BackgroundJob> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    @Scheduled(initialDelayString = "${datastorage.partitions.maintenance-interval:1h}",
            fixedDelayString = "${datastorage.partitions.maintenance-interval:1h}")
    void run() {
        for (BackgroundJob job : jobs) {
            try {
                job.runOnce();
            } catch (RuntimeException e) {
                // Logged by the job; the next run tries again, and the other job runs now.
            }
        }
    }
}
