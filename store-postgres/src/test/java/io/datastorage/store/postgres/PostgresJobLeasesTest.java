package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.job.JobLeases;
import io.datastorage.core.job.JobLeasesContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease contract on a real PostgreSQL. Time passing is played by moving every lease's end back
 * by the same amount: the database's own clock cannot be moved, and the statements compare
 * {@code expires_at} only with {@code now()}, so this is what the leases would see.
 */
class PostgresJobLeasesTest extends JobLeasesContract {
    private static HikariDataSource dataSource;

    @BeforeAll
    static void database() {
        dataSource = PostgresTestDatabase.freshDatabase();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Override
    protected JobLeases leases() {
        execute("TRUNCATE job_leases");
        return new PostgresJobLeases(dataSource);
    }

    @Override
    protected void elapse(Duration time) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "UPDATE job_leases SET expires_at = expires_at - ? * interval '1 microsecond'")) {
            s.setLong(1, time.toNanos() / 1000);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(String sql) {
        PostgresTestDatabase.execute(dataSource, sql);
    }

    @Test
    void aLeaseEndsItsDurationAfterTheStatementByTheDatabaseClock() throws SQLException {
        JobLeases leases = leases();
        Instant before = databaseNow();
        leases.acquire("reconcile", "host-a/12/0f3c", Duration.ofMinutes(2));
        Instant after = databaseNow();

        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT holder, expires_at FROM job_leases WHERE job = 'reconcile'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("host-a/12/0f3c");
            assertThat(rs.getTimestamp(2).toInstant())
                    .isBetween(before.plus(Duration.ofMinutes(2)), after.plus(Duration.ofMinutes(2)));
        }
    }

    private static Instant databaseNow() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}
