package io.datastorage.server;

import io.datastorage.core.migration.SyncReport;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.datastorage.server.Backfills.backfill;
import static io.datastorage.server.Backfills.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill from a legacy PostgreSQL table ({@link LegacyPostgres}) both ways: the history written
 * in {@code LEGACY_ONLY} is copied into datastorage's PostgreSQL, a second run copies nothing, and
 * after {@code NEW_ONLY} writes the way back copies them into the table; the validator then finds
 * both stores equal.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MigrationBackfillPostgresLegacyTest {
    static EmbeddedPostgresServer legacy;
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacy = LegacyPostgres.start(dataDir);
        service = RunningService.start(dataDir, LegacyPostgres.serviceOptions(legacy, dataDir, "LEGACY_ONLY",
                "--datastorage.migration.backfill-rate=1000000"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (legacy != null) {
            legacy.close();
        }
    }

    @Test
    void theHistoryOfALegacyTableIsCopiedBothWaysAndTheStoresEndEqual() {
        Backfills.write(service, "table", 600);

        JsonNode forward = json(backfill(service, "legacy-to-new"));
        JsonNode again = json(backfill(service, "legacy-to-new"));

        assertThat(forward.path("complete").asBoolean()).as(forward.toString()).isTrue();
        assertThat(forward.path("copied").asLong()).isEqualTo(600);
        assertThat(again.path("copied").asLong()).isZero();
        assertThat(again.path("skipped").asLong()).isEqualTo(600);
        System.out.printf("BACKFILL-THROUGHPUT legacy postgres: %d records, %.0f records/s%n",
                forward.path("scanned").asLong(), Backfills.recordsPerSecond(forward));

        Backfills.move(service, "DUAL_WRITE_LEGACY_PRIMARY");
        Backfills.move(service, "DUAL_WRITE_NEW_PRIMARY");
        Backfills.move(service, "NEW_ONLY");
        Backfills.write(service, "after", 120);
        JsonNode back = json(backfill(service, "new-to-legacy"));

        assertThat(back.path("complete").asBoolean()).as(back.toString()).isTrue();
        assertThat(back.path("copied").asLong()).isEqualTo(120);
        SyncReport report = Backfills.validate(service);
        assertThat(report.consistent()).as("%s", report).isTrue();
        assertThat(report.checked()).isEqualTo(720);
    }
}
