package io.datastorage.store.postgres;

import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.IndexableRecord;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@link IndexBacklog} on PostgreSQL: the rows marked {@code index_pending}. Thread-safe. */
final class PostgresIndexBacklog implements IndexBacklog {
    private final DataSource dataSource;

    PostgresIndexBacklog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public List<IndexableRecord> pendingIndex(int limit) {
        return Vectors.queryIndexable(dataSource, "reading records pending indexing", "SELECT " + Vectors.INDEXABLE_COLUMNS
                + " FROM audit_records WHERE index_pending AND NOT embedding_pending ORDER BY received_at, id LIMIT ?",
                ps -> ps.setInt(1, limit));
    }

    @Override
    public int completeIndex(List<IndexableRecord> indexed) {
        if (indexed.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            return clearIndexMarks(c, indexed);
        } catch (SQLException e) {
            throw SqlErrors.translate("marking " + indexed.size() + " record(s) indexed", e);
        }
    }

    @Override
    public long countPendingIndex() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_records WHERE index_pending")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw SqlErrors.translate("counting records pending indexing", e);
        }
    }

    @Override
    public Optional<Instant> oldestPendingIndex() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(received_at) FROM audit_records WHERE index_pending")) {
            rs.next();
            Timestamp oldest = rs.getTimestamp(1);
            return oldest == null ? Optional.empty() : Optional.of(oldest.toInstant());
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the oldest record pending indexing", e);
        }
    }


    private static int clearIndexMarks(Connection c, List<IndexableRecord> records) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE audit_records SET index_pending = false, vector_fingerprint = ?
                WHERE id = ? AND created_at = ? AND (index_pending OR vector_fingerprint IS DISTINCT FROM ?)""")) {
            for (IndexableRecord record : records) {
                long fingerprint = record.fingerprint();
                ps.setLong(1, fingerprint);
                ps.setObject(2, record.id());
                ps.setTimestamp(3, Timestamp.from(record.createdAt()));
                ps.setLong(4, fingerprint);
                ps.addBatch();
            }
            int cleared = 0;
            for (int count : ps.executeBatch()) {
                cleared += Math.max(0, count);
            }
            return cleared;
        }
    }
}
