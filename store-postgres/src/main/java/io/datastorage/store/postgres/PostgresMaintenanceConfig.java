package io.datastorage.store.postgres;

import java.time.Duration;

import static io.datastorage.core.config.ConfigChecks.range;

/**
 * The PostgreSQL store's housekeeping: monthly partitions made ahead of time and idempotency keys
 * forgotten after their retention. Immutable and checked when built; a bad value is an
 * {@link io.datastorage.core.config.InvalidConfigException} naming the setting as below.
 *
 * @param monthsAhead          {@code partitions.months-ahead}: monthly partitions kept ready beyond
 *                             the current month, 0..24
 * @param interval             {@code partitions.maintenance-interval}: how often partitions are topped
 *                             up and expired idempotency keys purged, 1m..1d
 * @param idempotencyRetention {@code idempotency.retention}: how long an idempotency key is
 *                             remembered, 1m..30d
 */
public record PostgresMaintenanceConfig(int monthsAhead, Duration interval, Duration idempotencyRetention) {

    public PostgresMaintenanceConfig {
        range("partitions.months-ahead", monthsAhead, 0, 24);
        range("partitions.maintenance-interval", interval, Duration.ofMinutes(1), Duration.ofDays(1));
        range("idempotency.retention", idempotencyRetention, Duration.ofMinutes(1), Duration.ofDays(30));
    }
}
