package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.IndexableRecord;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The codec of the {@code embedding float4[]} column and the reading of {@link IndexableRecord}s,
 * shared by the index backlog and the vector ledger.
 */
final class Vectors {
    /** What {@link #queryIndexable} reads, in this order. */
    static final String INDEXABLE_COLUMNS = "id, kind, namespace, phase, created_at, received_at, embedding";

    private Vectors() {
    }

    /** Sets the parameters of a prepared statement. */
    interface Parameters {
        void set(PreparedStatement ps) throws SQLException;
    }

    /** Runs a query selecting {@link #INDEXABLE_COLUMNS}; {@code what} names it in errors. */
    static List<IndexableRecord> queryIndexable(DataSource dataSource, String what, String sql, Parameters parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            parameters.set(ps);
            List<IndexableRecord> records = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.add(new IndexableRecord(rs.getObject(1, UUID.class),
                            AuditKind.fromPathName(rs.getString(2)).orElseThrow(), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant(),
                            unboxed((Float[]) rs.getArray(7).getArray())));
                }
            }
            return records;
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }

    static float[] unboxed(Float[] boxed) {
        float[] vector = new float[boxed.length];
        for (int i = 0; i < boxed.length; i++) {
            vector[i] = boxed[i];
        }
        return vector;
    }

    static Float[] boxed(float[] vector) {
        Float[] boxed = new Float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            boxed[i] = vector[i];
        }
        return boxed;
    }
}
