package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.AuditQuery;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The WHERE clause of a listing's filters, shared by the listing and the degraded search's scan.
 * Only placeholders carry client text.
 */
final class ListingSql {

    private ListingSql() {
    }

    /** Binds one parameter at {@code index}. */
    interface Binding {
        void bind(PreparedStatement ps, int index) throws SQLException;
    }

    /** One condition of a WHERE clause and the values of its placeholders, in order. */
    record Condition(String sql, List<Binding> bindings) {
        static Condition equal(String column, String value) {
            return new Condition(column + " = ?", List.of((ps, i) -> ps.setString(i, value)));
        }
    }

    /** The conditions of the query's filters, without its position. */
    static List<Condition> listingFilters(AuditQuery query) {
        List<Condition> conditions = new ArrayList<>();
        if (query.kinds().size() == 1) {
            conditions.add(Condition.equal("kind", query.kinds().iterator().next().pathName()));
        } else if (!query.allKinds()) {
            Object[] kinds = query.kinds().stream().map(AuditKind::pathName).toArray();
            conditions.add(new Condition("kind = ANY (?)",
                    List.of((ps, i) -> ps.setArray(i, ps.getConnection().createArrayOf("text", kinds)))));
        }
        if (query.namespace() != null) {
            conditions.add(Condition.equal("namespace", query.namespace()));
        }
        if (query.phase() != null) {
            conditions.add(Condition.equal("phase", query.phase().name()));
        }
        if (query.severity() != null) {
            conditions.add(Condition.equal("severity", query.severity().wireName()));
        }
        if (query.correlationId() != null) {
            conditions.add(Condition.equal("correlation_id", query.correlationId()));
        }
        if (query.name() != null) {
            conditions.add(Condition.equal("name", query.name()));
        }
        if (!query.labels().isEmpty()) {
            String labels = JsonCodec.write(query.labels());
            conditions.add(new Condition("labels @> ?::jsonb", List.of((ps, i) -> ps.setString(i, labels))));
        }
        if (query.since() != null) {
            Timestamp since = Timestamp.from(query.since());
            conditions.add(new Condition("created_at >= ?", List.of((ps, i) -> ps.setTimestamp(i, since))));
        }
        if (query.until() != null) {
            Timestamp until = Timestamp.from(query.until());
            conditions.add(new Condition("created_at < ?", List.of((ps, i) -> ps.setTimestamp(i, until))));
        }
        return conditions;
    }

    static String where(List<Condition> conditions) {
        if (conditions.isEmpty()) {
            return "";
        }
        StringBuilder sql = new StringBuilder(" WHERE ");
        for (int i = 0; i < conditions.size(); i++) {
            sql.append(i == 0 ? "" : " AND ").append(conditions.get(i).sql());
        }
        return sql.toString();
    }

    /** Binds the conditions' values from the first placeholder on; returns the index of the next one. */
    static int bind(PreparedStatement ps, List<Condition> conditions) throws SQLException {
        int index = 1;
        for (Condition condition : conditions) {
            for (Binding binding : condition.bindings()) {
                binding.bind(ps, index++);
            }
        }
        return index;
    }
}
