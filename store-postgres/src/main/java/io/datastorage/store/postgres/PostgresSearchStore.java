package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.store.AuditRecord;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** {@link SearchStore} on the {@code audit_records} table. Parameterised SQL only. */
public final class PostgresSearchStore implements SearchStore {
    private final DataSource dataSource;

    public PostgresSearchStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public List<AuditRecord> records(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, kind, received_at, document::text, embedding_pending, index_pending FROM audit_records"
                        + " WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            List<AuditRecord> records = new ArrayList<>(ids.size());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.add(new AuditRecord(rs.getObject(1, UUID.class),
                            AuditKind.fromPathName(rs.getString(2)).orElseThrow(), rs.getTimestamp(3).toInstant(),
                            JsonCodec.readObject(rs.getString(4)), !rs.getBoolean(5), !rs.getBoolean(6)));
                }
            }
            return records;
        } catch (SQLException e) {
            throw PostgresAuditStore.translate("reading " + ids.size() + " search result(s)", e);
        }
    }

    @Override
    public List<StoredVector> newestVectors(IndexFilter filter, int maxRows) {
        StringBuilder sql = new StringBuilder("SELECT id, embedding FROM audit_records WHERE NOT embedding_pending");
        List<Object> parameters = new ArrayList<>();
        if (!filter.kinds().isEmpty()) {
            sql.append(" AND kind = ANY (?)");
            parameters.add(filter.kinds().stream().map(AuditKind::pathName).toArray(String[]::new));
        }
        if (filter.namespace() != null) {
            sql.append(" AND namespace = ?");
            parameters.add(filter.namespace());
        }
        if (filter.phase() != null) {
            sql.append(" AND phase = ?");
            parameters.add(filter.phase());
        }
        if (filter.since() != null) {
            sql.append(" AND created_at >= ?");
            parameters.add(Timestamp.from(filter.since()));
        }
        if (filter.until() != null) {
            sql.append(" AND created_at < ?");
            parameters.add(Timestamp.from(filter.until()));
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        parameters.add(maxRows);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
                Object value = parameters.get(i);
                if (value instanceof String[] texts) {
                    ps.setArray(i + 1, c.createArrayOf("text", texts));
                } else {
                    ps.setObject(i + 1, value);
                }
            }
            List<StoredVector> vectors = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    vectors.add(new StoredVector(rs.getObject(1, UUID.class),
                            PostgresAuditStore.unboxed((Float[]) rs.getArray(2).getArray())));
                }
            }
            return vectors;
        } catch (SQLException e) {
            throw PostgresAuditStore.translate("scanning embeddings for a degraded search", e);
        }
    }
}
