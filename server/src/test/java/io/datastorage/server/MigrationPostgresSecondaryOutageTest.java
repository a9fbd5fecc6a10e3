package io.datastorage.server;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
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
 * What can be down while the fence and the queue work is the new store's table: the second test
 * locks it against writes instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    @Order(1)
    void whileTheLegacyDatabaseIsStoppedEveryWriteIsAcknowledgedAndQueuedAndOnceBackBothStoresHoldEveryRecord()
            throws Exception {
        Map<UUID, String> acknowledged = MigrationSecondaryOutageTest.writeThroughAnOutage(service, "legacy postgres",
                "legacy", legacy::close, legacy::restart);

        LegacyStore store = service.context().getBean(LegacyStore.class);
        assertThat(store.count(AuditKind.WORKFLOW)).isEqualTo(acknowledged.size());
        assertThat(legacyRowsPerId().values()).as("rows per record on the legacy table").containsOnly(1);
        assertThat(MigrationSides.duplicatedRows(service)).as("ids on more than one row in PostgreSQL").isEmpty();
    }

    /**
     * Fault test 8: the new store down as the secondary of {@code DUAL_WRITE_LEGACY_PRIMARY}. Its
     * table is locked against writes ({@code LOCK TABLE audit_records IN SHARE MODE}, held by a
     * transaction of the test) for {@link MigrationSecondaryOutageTest#OUTAGE}, while the phase fence
     * and the queue, in the same PostgreSQL, keep working: every write is answered 201 and queued for
     * the new store, and once the lock is gone the queue converges both stores, each record once.
     */
    @Test
    @Order(2)
    void whileTheNewStoreRefusesWritesAsTheSecondaryEveryWriteIsQueuedAndOnceBackBothStoresHoldEveryRecordOnce()
            throws Exception {
        long version = MigrationSecondaryOutageTest.status(service).path("version").asLong();
        HttpResponse<String> moved = service.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/phase"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version + ",\"force\":true,\"reason\":\"set-up, not a test of the gates\"}")));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        Set<UUID> before = legacyRowsPerId().keySet();
        HikariDataSource dataSource = service.context().getBean(HikariDataSource.class);
        Connection[] lock = new Connection[1];

        Map<UUID, String> acknowledged = MigrationSecondaryOutageTest.writeThroughAnOutage(service, "new store locked",
                null, () -> {
                    lock[0] = DriverManager.getConnection(dataSource.getJdbcUrl(), dataSource.getUsername(), null);
                    lock[0].setAutoCommit(false);
                    try (Statement s = lock[0].createStatement()) {
                        s.execute("LOCK TABLE audit_records IN SHARE MODE");
                    }
                }, () -> {
                    lock[0].rollback();
                    lock[0].close();
                });

        assertThat(acknowledged.keySet()).doesNotContainAnyElementsOf(before);
        assertThat(legacyRowsPerId().values()).as("rows per record on the legacy table").containsOnly(1);
        assertThat(MigrationSides.duplicatedRows(service)).as("ids on more than one row in PostgreSQL").isEmpty();
    }

    /** Rows per event id on the legacy table, as ids. */
    static Map<UUID, Integer> legacyRowsPerId() throws SQLException {
        Map<UUID, Integer> rows = new HashMap<>();
        try (Connection c = DriverManager.getConnection(LegacyPostgres.url(legacy), legacy.user(), null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT event_id, count(*) FROM legacy.audit_events GROUP BY event_id")) {
            while (rs.next()) {
                rows.put(UUID.fromString(rs.getString(1)), rs.getInt(2));
            }
        }
        return rows;
    }
}
