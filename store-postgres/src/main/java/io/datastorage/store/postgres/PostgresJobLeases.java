package io.datastorage.store.postgres;

import io.datastorage.core.job.JobLeases;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * Job leases in the {@code job_leases} table, shared by every replica on one database.
 *
 * <p>Taking and renewing are one statement: an insert that, when the job's row exists, overwrites
 * it only if the lease has expired or belongs to the caller, and returns a row only when it did.
 * PostgreSQL serialises concurrent upserts of one key, so of callers racing for a free lease
 * exactly one gets it. Expiry is {@code now()} of the statement's own transaction on the database,
 * never a replica's clock. A connection is borrowed for the statement and returned at once: no
 * pooled connection is held while the job runs.
 *
 * <p>A row-lock or advisory-lock alternative would hold a connection (and a transaction) for the
 * whole run, which is what this avoids.
 */
public final class PostgresJobLeases implements JobLeases {
    private static final String ACQUIRE = """
            INSERT INTO job_leases (job, holder, expires_at)
            VALUES (?, ?, now() + ? * interval '1 microsecond')
            ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
            WHERE job_leases.expires_at <= now() OR job_leases.holder = EXCLUDED.holder
            RETURNING holder""";

    private final DataSource dataSource;

    /** @param dataSource a database migrated by {@link PostgresSchema} (version 6 or later) */
    public PostgresJobLeases(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * @throws io.datastorage.core.store.StoreUnavailableException PostgreSQL could not be reached;
     *         whether the lease was taken is then unknown, and the caller must act as if not
     */
    @Override
    public boolean acquire(String job, String holder, Duration duration) {
        JobLeases.checkArguments(job, holder, duration);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(ACQUIRE)) {
            s.setString(1, job);
            s.setString(2, holder);
            s.setLong(3, micros(duration));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("taking the lease on job " + job, e);
        }
    }

    @Override
    public void release(String job, String holder) {
        JobLeases.checkArguments(job, holder);
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM job_leases WHERE job = ? AND holder = ?")) {
            s.setString(1, job);
            s.setString(2, holder);
            s.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("releasing the lease on job " + job, e);
        }
    }

    /** At most a day ({@link JobLeases#MAX_DURATION}): no overflow. */
    private static long micros(Duration duration) {
        return duration.getSeconds() * 1_000_000L + duration.getNano() / 1000;
    }
}
