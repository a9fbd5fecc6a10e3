package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The schema's history is append-only. Flyway refuses to start on a database whose applied
 * migration no longer matches its file, so a released migration edited afterwards stops every
 * upgrade of an existing database, and what the edit added never reaches it. That happened once:
 * guards added to V14 and V16 after their release were caught in review and moved to V17.
 */
class PostgresSchemaMigrationsTest {
    /** Flyway's checksum of each released migration; a new migration is a new file, never an edit. */
    private static final Map<String, Integer> RELEASED = Map.ofEntries(
            Map.entry("1", 313413936), Map.entry("2", 662784280), Map.entry("3", -54620103),
            Map.entry("4", 517035090), Map.entry("5", -1628311987), Map.entry("6", 2037270636),
            Map.entry("7", -92359750), Map.entry("8", 637859116), Map.entry("9", -673027143),
            Map.entry("10", 1153406192), Map.entry("11", 1055129074), Map.entry("12", 1110926040),
            Map.entry("13", 1529281851), Map.entry("14", -422925437), Map.entry("16", 1296688007));

    private static Flyway flyway(HikariDataSource dataSource, String target) {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target(target).load();
    }

    @Test
    void releasedMigrationsAreNeverEdited() {
        try (HikariDataSource dataSource = PostgresTestDatabase.emptyDatabase()) {
            Map<String, Integer> checksums = new TreeMap<>();
            Arrays.stream(flyway(dataSource, "latest").info().all())
                    .filter(m -> RELEASED.containsKey(m.getVersion().getVersion()))
                    .forEach(m -> checksums.put(m.getVersion().getVersion(), m.getChecksum()));

            assertThat(checksums).isEqualTo(new TreeMap<>(RELEASED));
        }
    }

    /** A database migrated by the last release (up to V16), with a month's partition, gets V17's guards. */
    @Test
    void aDatabaseOfTheLastReleaseGetsTheGuardsAddedSince() throws SQLException {
        try (HikariDataSource dataSource = PostgresTestDatabase.emptyDatabase()) {
            flyway(dataSource, "16").migrate();
            PostgresTestDatabase.execute(dataSource, "CREATE TABLE audit_records_y2026m11 PARTITION OF audit_records "
                    + "FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')");

            assertThat(PostgresSchema.migrate(dataSource)).isPositive();

            assertThat(Arrays.stream(flyway(dataSource, "latest").info().applied()).map(MigrationInfo::getVersion)
                    .map(Object::toString)).contains("17");
            for (String table : new String[] {"audit_records", "audit_records_y2026m11", "integrity_chains",
                    "integrity_checkpoints", "legal_holds", "retention_runs"}) {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    assertThatThrownBy(() -> s.execute("TRUNCATE " + table)).as(table)
                            .hasMessageContaining("cannot be truncated");
                }
            }
        }
    }
}
