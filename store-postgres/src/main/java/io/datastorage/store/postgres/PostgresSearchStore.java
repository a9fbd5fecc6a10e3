package io.datastorage.store.postgres;

import io.datastorage.core.audit.Phase;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The {@link SearchStore} semantic search reads records and embeddings from, on PostgreSQL. Thread-safe. */
final class PostgresSearchStore implements SearchStore {
    private final DataSource dataSource;
    private final RecordReader reader;

    PostgresSearchStore(DataSource dataSource, RecordReader reader) {
        this.dataSource = dataSource;
        this.reader = reader;
    }

    @Override
    public List<AuditRecord> records(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + RecordReader.RECORD_COLUMNS + " FROM audit_records WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            List<AuditRecord> records = new ArrayList<>(ids.size());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.readableRecord(rs).ifPresent(records::add);
                }
            }
            return records;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading " + ids.size() + " search result(s)", e);
        }
    }

    /** The listing's filters, the search filter's way: no kinds means every kind. */
    @Override
    public List<StoredVector> newestVectors(IndexFilter filter, int maxRows) {
        Optional<Phase> phase = filter.phase() == null ? Optional.empty() : Phase.parse(filter.phase());
        if ((filter.phase() != null && phase.isEmpty())
                || (filter.since() != null && filter.until() != null && filter.since().isAfter(filter.until()))) {
            return List.of(); // nothing can match
        }
        AuditQuery.Builder query = AuditQuery.builder().namespace(filter.namespace()).phase(phase.orElse(null))
                .since(filter.since()).until(filter.until());
        if (!filter.kinds().isEmpty()) {
            query.kinds(filter.kinds());
        }
        List<ListingSql.Condition> conditions = new ArrayList<>(ListingSql.listingFilters(query.build()));
        conditions.add(new ListingSql.Condition("NOT embedding_pending", List.of()));
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, embedding FROM audit_records" + ListingSql.where(conditions)
                        + " ORDER BY created_at DESC, id DESC LIMIT ?")) {
            ps.setInt(ListingSql.bind(ps, conditions), maxRows);
            List<StoredVector> vectors = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    vectors.add(new StoredVector(rs.getObject(1, UUID.class),
                            Vectors.unboxed((Float[]) rs.getArray(2).getArray())));
                }
            }
            return vectors;
        } catch (SQLException e) {
            throw SqlErrors.translate("scanning embeddings for a degraded search", e);
        }
    }
}
