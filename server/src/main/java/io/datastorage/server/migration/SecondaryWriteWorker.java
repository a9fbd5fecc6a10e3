package io.datastorage.server.migration;

import io.datastorage.core.job.BackgroundJob;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Runs the migration's {@link io.datastorage.core.migration.SecondaryWriteJob} every second, under
 * its lease ({@code secondary-writes}): the writes owed to the secondary store land within about a
 * second of being queued, and a run with nothing due costs one claim query. Only the schedule is
 * here; the job logs what it did and why it failed.
 */
public class SecondaryWriteWorker {
    private final BackgroundJob job;

    public SecondaryWriteWorker(BackgroundJob job) {
        this.job = job;
    }

    @Scheduled(initialDelay = 1000, fixedDelay = 1000)
    void run() {
        try {
            job.runOnce();
        } catch (RuntimeException e) {
            // Logged by the job; the next run tries again.
        }
    }
}
