package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.EmbeddingBacklog;
import io.datastorage.core.store.PendingEmbedding;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@link EmbeddingBacklog} on PostgreSQL: the rows marked {@code embedding_pending}. Thread-safe. */
final class PostgresEmbeddingBacklog implements EmbeddingBacklog {
    private final DataSource dataSource;

    PostgresEmbeddingBacklog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public List<PendingEmbedding> pendingEmbeddings(int limit) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT id, kind, created_at, document::text FROM audit_records
                     WHERE embedding_pending ORDER BY received_at, id LIMIT ?""")) {
            ps.setInt(1, limit);
            List<PendingEmbedding> pending = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.add(new PendingEmbedding(rs.getObject(1, UUID.class),
                            AuditKind.fromPathName(rs.getString(2)).orElseThrow(),
                            rs.getTimestamp(3).toInstant(), JsonCodec.readObject(rs.getString(4))));
                }
            }
            return pending;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading pending embeddings", e);
        }
    }

    @Override
    public int completeEmbeddings(Map<PendingEmbedding, float[]> embeddings) {
        if (embeddings.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     UPDATE audit_records SET embedding = ?, embedding_pending = false
                     WHERE id = ? AND created_at = ? AND embedding_pending""")) {
            for (Map.Entry<PendingEmbedding, float[]> entry : embeddings.entrySet()) {
                ps.setArray(1, c.createArrayOf("float4", Vectors.boxed(entry.getValue())));
                ps.setObject(2, entry.getKey().id());
                ps.setTimestamp(3, Timestamp.from(entry.getKey().createdAt()));
                ps.addBatch();
            }
            int updated = 0;
            for (int count : ps.executeBatch()) {
                updated += Math.max(0, count);
            }
            return updated;
        } catch (SQLException e) {
            throw SqlErrors.translate("storing " + embeddings.size() + " embedding(s)", e);
        }
    }

    @Override
    public long countPendingEmbeddings() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_records WHERE embedding_pending")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw SqlErrors.translate("counting pending embeddings", e);
        }
    }
}
