package io.datastorage.store.postgres;

import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.VectorLedger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@link VectorLedger} on PostgreSQL: the rows with an embedding and the fingerprint kept when
 * they were marked indexed ({@code vector_fingerprint}). Thread-safe.
 */
final class PostgresVectorLedger implements VectorLedger {
    private final DataSource dataSource;

    PostgresVectorLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public SliceDigest vectorDigest(int bits) {
        SliceDigest digest = new SliceDigest(bits);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT substr(id::text, 1, ?), count(*), bit_xor(coalesce(vector_fingerprint, 0))
                FROM audit_records WHERE NOT embedding_pending GROUP BY 1""")) {
            ps.setInt(1, IdSlices.hexDigits(bits));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    digest.addSlice(IdSlices.sliceOfHexPrefix(rs.getString(1), bits), rs.getLong(2), rs.getLong(3));
                }
            }
            return digest;
        } catch (SQLException e) {
            throw SqlErrors.translate("summarising the records per id slice", e);
        }
    }

    @Override
    public Map<UUID, Long> vectorFingerprints(int slice, int bits) {
        boolean last = slice == IdSlices.count(bits) - 1;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, vector_fingerprint FROM audit_records WHERE NOT embedding_pending AND id >= ?"
                        + (last ? "" : " AND id < ?"))) {
            ps.setObject(1, IdSlices.first(slice, bits));
            if (!last) {
                ps.setObject(2, IdSlices.first(slice + 1, bits));
            }
            Map<UUID, Long> fingerprints = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    long fingerprint = rs.getLong(2);
                    fingerprints.put(id, rs.wasNull() ? null : fingerprint);
                }
            }
            return fingerprints;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the fingerprints of id slice " + slice, e);
        }
    }

    @Override
    public List<IndexableRecord> indexable(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return Vectors.queryIndexable(dataSource, "reading " + ids.size() + " record(s) to index",
                "SELECT " + Vectors.INDEXABLE_COLUMNS + " FROM audit_records WHERE NOT embedding_pending AND id = ANY (?)",
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("uuid", ids.toArray())));
    }

    @Override
    public List<IndexableRecord> indexedSince(Instant since, IndexableRecord after, int limit) {
        Instant fromTime = after == null ? since : after.receivedAt();
        UUID fromId = after == null ? new UUID(0L, 0L) : after.id(); // the smallest uuid in PostgreSQL's order
        return Vectors.queryIndexable(dataSource, "reading recently indexed records", "SELECT " + Vectors.INDEXABLE_COLUMNS
                + " FROM audit_records WHERE NOT index_pending AND received_at >= ? AND (received_at, id) > (?, ?)"
                + " ORDER BY received_at, id LIMIT ?", ps -> {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setTimestamp(2, Timestamp.from(fromTime));
            ps.setObject(3, fromId);
            ps.setInt(4, limit);
        });
    }
}
