package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The store's upkeep as background jobs: each run repeated changes nothing more. */
class PostgresMaintenanceJobsTest {
    private static HikariDataSource dataSource;
    private static PostgresStore store;

    @BeforeAll
    static void database() {
        dataSource = PostgresTestDatabase.freshDatabase();
        store = PostgresStore.open(dataSource, Clock.systemUTC(), 1);
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void partitionMaintenanceKeepsTheMonthsAheadAndARepeatedRunAddsNone() {
        PartitionMaintenanceJob job = new PartitionMaintenanceJob(store.maintenance(),
                new PostgresMaintenanceConfig(4, Duration.ofHours(1), Duration.ofHours(24)));

        long months = job.runOnce();

        assertThat(job.name()).isEqualTo("partition-maintenance");
        assertThat(store.maintenance().partitionMonths()).contains(YearMonth.now(ZoneOffset.UTC).plusMonths(4));
        assertThat(job.runOnce()).isEqualTo(months);
    }

    @Test
    void theIdempotencyPurgeFindsNothingLeftOnARepeatedRun() {
        IdempotencyPurgeJob job = new IdempotencyPurgeJob(store.maintenance(),
                new PostgresMaintenanceConfig(1, Duration.ofHours(1), Duration.ofMinutes(1)));

        job.runOnce();

        assertThat(job.name()).isEqualTo("idempotency-purge");
        assertThat(job.runOnce()).isZero();
    }
}
