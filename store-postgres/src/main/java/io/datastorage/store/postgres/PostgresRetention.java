package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.retention.RetentionPeriods;
import io.datastorage.core.retention.RetentionStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Retention on PostgreSQL: expired months of a kind are deleted by their range of
 * {@code created_at} (so only that month's partition is touched), in a transaction that says
 * {@code SET LOCAL datastorage.delete_reason = 'retention'}, the one reason the records'
 * immutability trigger lets a sealed record go. Obtained from {@link PostgresStore#retention()}.
 * Thread-safe.
 *
 * <p>Idempotency keys whose receipts name a dropped record are deleted with it: a retry with such a
 * key is then a new request (it stores the record again, into a month the next run drops again)
 * rather than an answer claiming that a record is stored which is not. Keys are purged after a day
 * anyway, so this only matters for records whose {@code createdAt} lies far in the past.
 */
final class PostgresRetention implements RetentionStore {
    /** Serialises the drop of a month with the creation of holds: creating a hold takes ROW EXCLUSIVE. */
    private static final String LOCK_HOLDS = "LOCK TABLE legal_holds IN SHARE MODE";
    static final String ACTIVE = "h.released_at IS NULL AND (h.expires_at IS NULL OR h.expires_at > ?)";
    private static final String MONTH = "date_trunc('month', r.created_at AT TIME ZONE 'UTC')::date";

    private final DataSource dataSource;
    private final PartitionManager partitions;

    PostgresRetention(DataSource dataSource, PartitionManager partitions) {
        this.dataSource = dataSource;
        this.partitions = partitions;
    }

    @Override
    public List<MonthRecords> monthsBefore(AuditKind kind, YearMonth before) {
        String sql = "SELECT " + MONTH + ", count(*) FROM audit_records r WHERE r.kind = ? AND r.created_at < ? "
                + "GROUP BY 1 ORDER BY 1";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, kind.pathName());
            ps.setObject(2, at(RetentionPeriods.start(before)));
            List<MonthRecords> months = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    months.add(new MonthRecords(kind, YearMonth.from(rs.getObject(1, LocalDate.class)), rs.getLong(2)));
                }
            }
            return months;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the months retention may drop", e);
        }
    }

    @Override
    public List<Coverage> coverage(Instant now, YearMonth before) {
        // Two joins rather than one with OR, so each uses its own index (correlation_id, namespace).
        String sql = "SELECT DISTINCT " + MONTH + ", h.id FROM legal_holds h "
                + "JOIN audit_records r ON r.correlation_id = h.correlation_id WHERE " + ACTIVE + " AND r.created_at < ?"
                + " UNION SELECT DISTINCT " + MONTH + ", h.id FROM legal_holds h "
                + "JOIN audit_records r ON r.namespace = h.namespace WHERE " + ACTIVE + " AND r.created_at < ?"
                + " ORDER BY 1, 2";
        OffsetDateTime end = at(RetentionPeriods.start(before));
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, at(now));
            ps.setObject(2, end);
            ps.setObject(3, at(now));
            ps.setObject(4, end);
            List<Coverage> coverage = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    coverage.add(new Coverage(YearMonth.from(rs.getObject(1, LocalDate.class)), rs.getObject(2, UUID.class)));
                }
            }
            return coverage;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading legal holds' coverage", e);
        }
    }

    @Override
    public Dropped drop(AuditKind kind, YearMonth month, String run, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Dropped dropped = drop(c, kind, month, run, now);
                c.commit();
                return dropped;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("dropping " + kind.pathName() + " " + month, e);
        }
    }

    private static Dropped drop(Connection c, AuditKind kind, YearMonth month, String run, Instant now)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL datastorage.delete_reason = 'retention'");
            s.execute(LOCK_HOLDS);
        }
        OffsetDateTime from = at(RetentionPeriods.start(month));
        OffsetDateTime to = at(RetentionPeriods.end(month));
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM legal_holds h WHERE " + ACTIVE
                + " AND EXISTS (SELECT 1 FROM audit_records r WHERE r.created_at >= ? AND r.created_at < ?"
                + " AND (r.correlation_id = h.correlation_id OR r.namespace = h.namespace)) LIMIT 1")) {
            ps.setObject(1, at(now));
            ps.setObject(2, from);
            ps.setObject(3, to);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new Dropped(0, true);
                }
            }
        }
        long records;
        try (PreparedStatement ps = c.prepareStatement("""
                WITH gone AS (
                    DELETE FROM audit_records WHERE kind = ? AND created_at >= ? AND created_at < ? RETURNING id),
                pending AS (
                    INSERT INTO retention_index_deletes (id) SELECT id FROM gone ON CONFLICT (id) DO NOTHING),
                keys AS (
                    DELETE FROM idempotency_keys k WHERE EXISTS (
                        SELECT 1 FROM jsonb_array_elements(k.receipts) e
                        WHERE (e->>'id')::uuid IN (SELECT id FROM gone)))
                SELECT count(*) FROM gone""")) {
            ps.setString(1, kind.pathName());
            ps.setObject(2, from);
            ps.setObject(3, to);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                records = rs.getLong(1);
            }
        }
        for (String table : List.of("integrity_chains", "integrity_checkpoints")) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE kind = ? AND month = ?")) {
                ps.setString(1, kind.pathName());
                ps.setObject(2, month.atDay(1));
                ps.executeUpdate();
            }
        }
        if (records > 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO retention_runs (run_id, kind, month, records, "
                    + "dropped_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, kind, month) DO NOTHING")) {
                ps.setString(1, run);
                ps.setString(2, kind.pathName());
                ps.setObject(3, month.atDay(1));
                ps.setLong(4, records);
                ps.setObject(5, at(now));
                ps.executeUpdate();
            }
        }
        return new Dropped(records, false);
    }

    @Override
    public List<UUID> pendingIndexDeletes(int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM retention_index_deletes ORDER BY id LIMIT ?")) {
            ps.setInt(1, limit);
            List<UUID> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
            return ids;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading pending index deletes", e);
        }
    }

    @Override
    public void indexDeletesDone(Collection<UUID> ids) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM retention_index_deletes WHERE id = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("forgetting done index deletes", e);
        }
    }

    @Override
    public List<YearMonth> dropEmptyPartitions(Predicate<YearMonth> droppable) {
        List<YearMonth> dropped = new ArrayList<>();
        try {
            partitions.refresh();
            for (YearMonth month : partitions.known()) {
                if (droppable.test(month) && dropIfEmpty(month)) {
                    dropped.add(month);
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("dropping empty partitions", e);
        } finally {
            partitions.forget(dropped);
        }
        return dropped;
    }

    /**
     * Drops the month's partition if it holds no row: under the lock that serialises partition DDL
     * across replicas and an exclusive lock on the partition, taken before looking, so a write into
     * the month waits and then finds the partition gone (and has it created again).
     */
    private boolean dropIfEmpty(YearMonth month) throws SQLException {
        String table = PartitionManager.partitionName(month); // formatted from YearMonth, never client text
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL lock_timeout = '5s'");
                s.execute("SELECT pg_advisory_xact_lock(" + PartitionManager.LOCK_KEY + ")");
                s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
                boolean empty;
                try (ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table + ")")) {
                    rs.next();
                    empty = rs.getBoolean(1);
                }
                if (empty) {
                    s.execute("DROP TABLE " + table);
                }
                c.commit();
                return empty;
            } catch (SQLException e) {
                c.rollback();
                if ("42P01".equals(e.getSQLState()) || "55P03".equals(e.getSQLState())) {
                    return false; // dropped meanwhile by another run, or in use now: a later run drops it
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
