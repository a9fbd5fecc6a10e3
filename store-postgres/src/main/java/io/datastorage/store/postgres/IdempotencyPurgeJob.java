package io.datastorage.store.postgres;

import io.datastorage.core.job.BackgroundJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;

/**
 * Forgets idempotency keys older than {@link PostgresMaintenanceConfig#idempotencyRetention()};
 * after that a retry with an old key is a new request. One statement: a run repeated deletes
 * nothing more.
 */
public final class IdempotencyPurgeJob implements BackgroundJob {
    private static final Logger log = LoggerFactory.getLogger(IdempotencyPurgeJob.class);

    private final PostgresMaintenance store;
    private final Duration retention;

    public IdempotencyPurgeJob(PostgresMaintenance store, PostgresMaintenanceConfig settings) {
        this.store = Objects.requireNonNull(store, "store");
        this.retention = settings.idempotencyRetention();
    }

    @Override
    public String name() {
        return "idempotency-purge";
    }

    /**
     * @return how many keys were deleted
     * @throws RuntimeException the store failed (logged); the next run tries again
     */
    @Override
    public long runOnce() {
        try {
            int purged = store.purgeIdempotencyKeys(retention);
            log.info("{} idempotency key(s) older than {} purged", purged, retention);
            return purged;
        } catch (RuntimeException e) {
            log.warn("Idempotency key purge failed; it runs again later", e);
            throw e;
        }
    }
}
