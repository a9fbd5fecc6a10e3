package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
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
        legacy = EmbeddedPostgresServer.start(Files.createDirectory(dataDir.resolve("legacy-pg")), 0);
        String url = "jdbc:postgresql://localhost:" + legacy.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, legacy.user(), null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA legacy");
            s.execute("CREATE TABLE legacy.audit_events (event_id text NOT NULL, created_at timestamptz NOT NULL, "
                    + "event_type varchar(32) NOT NULL, payload jsonb)");
        }
        Path mapping = Files.writeString(dataDir.resolve("mapping.properties"), """
                table=legacy.audit_events
                id-column=event_id
                timestamp-column=created_at
                kind-column=event_type
                document-column=payload
                """);
        service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=postgres",
                "--datastorage.migration.legacy.db-url=" + url,
                "--datastorage.migration.legacy.db-user=" + legacy.user(),
                "--datastorage.migration.legacy.mapping-file=" + mapping,
                "--datastorage.migration.phase=DUAL_WRITE_NEW_PRIMARY",
                "--datastorage.migration.secondary=queue", "--datastorage.migration.secondary-mode=sync");
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
