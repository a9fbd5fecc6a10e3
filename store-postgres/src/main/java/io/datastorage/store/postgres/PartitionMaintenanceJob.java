package io.datastorage.store.postgres;

import io.datastorage.core.job.BackgroundJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * Keeps monthly partitions ready ahead of the writes: the current month's and the next
 * {@link PostgresMaintenanceConfig#monthsAhead()}. Creating a partition that exists is a no-op, so
 * a run repeated (after a crash, by a replica that took the lease over) changes nothing.
 */
public final class PartitionMaintenanceJob implements BackgroundJob {
    private static final Logger log = LoggerFactory.getLogger(PartitionMaintenanceJob.class);

    private final PostgresMaintenance store;
    private final int monthsAhead;

    public PartitionMaintenanceJob(PostgresMaintenance store, PostgresMaintenanceConfig settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.monthsAhead = settings.monthsAhead();
    }

    @Override
    public String name() {
        return "partition-maintenance";
    }

    /**
     * @return how many months have a partition after the run
     * @throws RuntimeException the store failed (logged); the next run tries again
     */
    @Override
    public long runOnce() {
        try {
            store.ensurePartitionsAhead(monthsAhead);
            int months = store.partitionMonths().size();
            log.info("Partitions ensured {} month(s) ahead ({} monthly partition(s))", monthsAhead, months);
            return months;
        } catch (RuntimeException e) {
            log.warn("Partition maintenance failed; it runs again later", e);
            throw e;
        }
    }
}
