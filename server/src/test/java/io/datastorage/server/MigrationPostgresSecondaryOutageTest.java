package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The legacy store as the secondary ({@code DUAL_WRITE_NEW_PRIMARY}, policy {@code queue}, mode
 * {@code sync}) is a table in a second, real PostgreSQL that is stopped for
 * {@link MigrationSecondaryOutageTest#OUTAGE} while clients write, then started again on the same
 * data directory and port: every write is answered 201, the queue grows, then drains, and both
 * stores hold every acknowledged record with the same document.
 *
 * <p>The other direction, PostgreSQL (the new side) down as the secondary of
 * {@code DUAL_WRITE_LEGACY_PRIMARY}, cannot answer 201: the phase fence and the queue entry of a
 * legacy-primary write are a transaction of that same PostgreSQL, so with it down the write is
 * refused whole (503, nothing stored), as {@code DatabaseCrashTest} shows for every write.
 */
class MigrationPostgresSecondaryOutageTest {
    static EmbeddedPostgresServer legacy;
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacy = LegacyPostgres.start(dataDir);
        service = RunningService.start(dataDir, LegacyPostgres.serviceOptions(legacy, dataDir, "DUAL_WRITE_NEW_PRIMARY",
                "--datastorage.migration.secondary=queue", "--datastorage.migration.secondary-mode=sync"));
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
    void whileTheLegacyDatabaseIsStoppedEveryWriteIsAcknowledgedAndQueuedAndOnceBackBothStoresHoldEveryRecord()
            throws Exception {
        Map<UUID, String> acknowledged = MigrationSecondaryOutageTest.writeThroughAnOutage(service, "legacy postgres",
                legacy::close, legacy::restart);

        LegacyStore store = service.context().getBean(LegacyStore.class);
        assertThat(store.count(AuditKind.WORKFLOW)).isEqualTo(acknowledged.size());
    }
}
