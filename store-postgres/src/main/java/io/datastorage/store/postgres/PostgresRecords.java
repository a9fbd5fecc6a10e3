package io.datastorage.store.postgres;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.WriteResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * {@link RecordStore} on PostgreSQL: writes with their idempotency claim, reads by id, listings.
 *
 * <p>A write is one transaction: claim the idempotency key (if any), run the {@link BeforeCommit}
 * hook (the dual-write's index upsert) on the records with an embedding, insert every record with
 * its "index pending" mark already set to the hook's answer, store the receipts with the key,
 * commit. Deciding the mark before the insert spares every write an {@code UPDATE} of the row it
 * just inserted, which, the mark being in partial-index predicates, would rewrite the row in every
 * index of the table. Claiming uses {@code INSERT ... ON CONFLICT DO NOTHING} on the
 * key's primary key, so a concurrent request with the same key waits for the first one's commit
 * and then finds its receipts; it never writes a second copy. Ids are UUIDv7 (time-ordered), which
 * keeps the primary-key index append-mostly.
 *
 * <p>A listing is keyset-paginated: {@code ORDER BY created_at DESC, id DESC} with
 * {@code (created_at, id) < (?, ?)} for the position of the previous page, which the indexes on
 * {@code (filter, created_at DESC, id DESC)} answer without sorting; the label filter is one
 * {@code labels @> ?::jsonb} for the GIN index.
 *
 * <p>Only parameterised SQL touches client text. Thread-safe.
 */
final class PostgresRecords implements RecordStore {
    private static final String INSERT_RECORD = """
            INSERT INTO audit_records (id, kind, correlation_id, name, namespace, phase, severity,
                                       created_at, received_at, labels, document, embedding, embedding_pending,
                                       index_pending, vector_fingerprint)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?)""";
    private static final String CLAIM_KEY = """
            INSERT INTO idempotency_keys (idempotency_key, fingerprint, receipts, created_at)
            VALUES (?, ?, '[]'::jsonb, ?) ON CONFLICT (idempotency_key) DO NOTHING""";
    private static final String SQLSTATE_NO_PARTITION = "23514";

    private final DataSource dataSource;
    private final Clock clock;
    private final PartitionManager partitions;
    private final RecordReader reader;
    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();

    PostgresRecords(DataSource dataSource, Clock clock, PartitionManager partitions, RecordReader reader) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.partitions = partitions;
        this.reader = reader;
    }

    @Override
    public WriteResult write(List<NewRecord> drafts, IdempotencyToken token, BeforeCommit beforeCommit,
                             io.datastorage.core.store.MigrationTerms terms) {
        if (drafts.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        if (terms != null || drafts.stream().anyMatch(r -> r.id() != null)) {
            throw new UnsupportedOperationException("TODO(issue16-spi): migration terms and given ids");
        }
        Set<YearMonth> months = new TreeSet<>();
        drafts.forEach(r -> months.add(YearMonth.from(r.draft().createdAt().atOffset(ZoneOffset.UTC))));
        // The ids are chosen once, so a retry indexes and inserts the same records, not a second set.
        List<UUID> recordIds = drafts.stream().map(r -> ids.generate()).toList();
        try {
            partitions.ensure(months);
            return writeOnce(drafts, recordIds, token, beforeCommit);
        } catch (SQLException e) {
            if (!SQLSTATE_NO_PARTITION.equals(e.getSQLState())) {
                throw SqlErrors.translate("writing " + drafts.size() + " record(s)", e);
            }
        }
        // A partition we believed in is gone (dropped by an operator): look again, retry once.
        try {
            partitions.forget(months);
            partitions.ensure(months);
            return writeOnce(drafts, recordIds, token, beforeCommit);
        } catch (SQLException e) {
            throw SqlErrors.translate("writing " + drafts.size() + " record(s)", e);
        }
    }

    private WriteResult writeOnce(List<NewRecord> drafts, List<UUID> recordIds, IdempotencyToken token,
                                  BeforeCommit beforeCommit) throws SQLException {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (token != null) {
                    Optional<WriteResult> earlier = claim(c, token, now);
                    if (earlier.isPresent()) {
                        c.rollback();
                        return earlier.get();
                    }
                }
                Map<UUID, Long> indexed = index(drafts, recordIds, now, beforeCommit);
                List<Receipt> receipts = insert(c, drafts, recordIds, now, indexed);
                if (token != null) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE idempotency_keys SET receipts = ?::jsonb WHERE idempotency_key = ?")) {
                        ps.setString(1, JsonCodec.write(receipts.stream().map(PostgresRecords::toJson).toList()));
                        ps.setString(2, token.key());
                        ps.executeUpdate();
                    }
                }
                SqlErrors.commit(c, drafts.size());
                return new WriteResult(receipts, false);
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    /** Runs the hook on the records that have an embedding; returns the fingerprints of those it indexed, by id. */
    private static Map<UUID, Long> index(List<NewRecord> drafts, List<UUID> recordIds, Instant now,
                                         BeforeCommit beforeCommit) {
        List<IndexableRecord> indexable = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            NewRecord record = drafts.get(i);
            if (record.embedded()) {
                AuditDraft d = record.draft();
                indexable.add(new IndexableRecord(recordIds.get(i), d.kind(), d.namespace(), d.phase().name(),
                        d.createdAt(), now, record.embedding()));
            }
        }
        Set<UUID> indexed = indexable.isEmpty() ? Set.of() : beforeCommit.beforeCommit(List.copyOf(indexable));
        Map<UUID, Long> fingerprints = new HashMap<>();
        for (IndexableRecord record : indexable) {
            if (indexed.contains(record.id())) {
                fingerprints.put(record.id(), record.fingerprint());
            }
        }
        return fingerprints;
    }

    /** Claims the key, or returns the earlier result of the same request. */
    private Optional<WriteResult> claim(Connection c, IdempotencyToken token, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CLAIM_KEY)) {
            ps.setString(1, token.key());
            ps.setString(2, token.fingerprint());
            ps.setTimestamp(3, Timestamp.from(now));
            if (ps.executeUpdate() == 1) {
                return Optional.empty();
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT fingerprint, receipts::text FROM idempotency_keys WHERE idempotency_key = ?")) {
            ps.setString(1, token.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("idempotency key vanished while claiming it", "40001");
                }
                if (!token.sameRequest(rs.getString(1))) {
                    throw new IdempotencyConflictException(token.key());
                }
                List<Receipt> receipts = JsonCodec.readList(rs.getString(2)).stream()
                        .map(PostgresRecords::fromJson).toList();
                return Optional.of(new WriteResult(receipts, true));
            }
        }
    }

    private static List<Receipt> insert(Connection c, List<NewRecord> records, List<UUID> recordIds, Instant now,
                                        Map<UUID, Long> indexed) throws SQLException {
        List<Receipt> receipts = new ArrayList<>(records.size());
        try (PreparedStatement ps = c.prepareStatement(INSERT_RECORD)) {
            Timestamp received = Timestamp.from(now);
            for (int i = 0; i < records.size(); i++) {
                NewRecord record = records.get(i);
                AuditDraft d = record.draft();
                UUID id = recordIds.get(i);
                Long fingerprint = indexed.get(id);
                ps.setObject(1, id);
                ps.setString(2, d.kind().pathName());
                ps.setString(3, d.correlationId());
                ps.setString(4, d.name());
                ps.setString(5, d.namespace());
                ps.setString(6, d.phase().name());
                ps.setString(7, d.severity() == null ? null : d.severity().wireName());
                ps.setTimestamp(8, Timestamp.from(d.createdAt()));
                ps.setTimestamp(9, received);
                ps.setString(10, JsonCodec.write(d.labels()));
                ps.setString(11, JsonCodec.write(d.document()));
                ps.setArray(12, record.embedded() ? c.createArrayOf("float4", Vectors.boxed(record.embedding())) : null);
                ps.setBoolean(13, !record.embedded());
                ps.setBoolean(14, fingerprint == null);
                ps.setObject(15, fingerprint, Types.BIGINT);
                ps.addBatch();
                receipts.add(new Receipt(id, d.kind(), d.correlationId(), d.createdAtText(), record.embedded(),
                        fingerprint != null));
            }
            ps.executeBatch();
        }
        return receipts;
    }

    @Override
    public void undo(List<Receipt> receipts, IdempotencyToken token) {
        throw new UnsupportedOperationException("TODO(issue16-spi): undo");
    }

    @Override
    public Optional<AuditRecord> find(AuditKind kind, UUID id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT received_at, document::text, embedding_pending, index_pending FROM audit_records "
                             + "WHERE id = ? AND kind = ?")) {
            ps.setObject(1, id);
            ps.setString(2, kind.pathName());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AuditRecord(id, kind, rs.getTimestamp(1).toInstant(),
                        reader.document(id, rs.getString(2)), !rs.getBoolean(3), !rs.getBoolean(4)));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading record " + id, e);
        }
    }

    @Override
    public AuditPage list(AuditQuery query) {
        List<ListingSql.Condition> filters = ListingSql.listingFilters(query);
        List<ListingSql.Condition> page = new ArrayList<>(filters);
        if (query.after() != null) {
            Timestamp createdAt = Timestamp.from(query.after().createdAt());
            UUID id = query.after().id();
            page.add(new ListingSql.Condition("(created_at, id) < (?, ?)",
                    List.of((ps, i) -> ps.setTimestamp(i, createdAt), (ps, i) -> ps.setObject(i, id))));
        }
        String select = "SELECT " + RecordReader.RECORD_COLUMNS + ", created_at FROM audit_records" + ListingSql.where(page)
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        try (Connection c = dataSource.getConnection()) {
            if (query.includeTotal()) {
                // The page and the count read one snapshot, so the total agrees with the page.
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            }
            List<AuditRecord> items = new ArrayList<>(Math.min(query.limit(), 128));
            AuditPosition last = null;
            boolean more = false;
            try (PreparedStatement ps = c.prepareStatement(select)) {
                ps.setInt(ListingSql.bind(ps, page), query.limit() + 1); // one more than asked: is there a next page?
                try (ResultSet rs = ps.executeQuery()) {
                    int rows = 0;
                    while (rs.next()) {
                        if (rows == query.limit()) {
                            more = true;
                            break;
                        }
                        rows++;
                        // A page covers `limit` rows; one that cannot be read is left out (the page is
                        // shorter) and the position still moves past it, so no page repeats or loses one.
                        last = new AuditPosition(rs.getTimestamp(7).toInstant(), rs.getObject(1, UUID.class));
                        reader.readableRecord(rs).ifPresent(items::add);
                    }
                }
            }
            Long total = null;
            if (query.includeTotal()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM audit_records" + ListingSql.where(filters))) {
                    ListingSql.bind(ps, filters);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                    }
                }
                c.commit();
            }
            return new AuditPage(items, more ? last : null, total);
        } catch (SQLException e) {
            throw SqlErrors.translate("listing records", e);
        }
    }

    private static Map<String, Object> toJson(Receipt r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id().toString());
        m.put("kind", r.kind().pathName());
        m.put("correlationId", r.correlationId());
        m.put("createdAt", r.createdAt());
        m.put("embedded", r.embedded());
        m.put("vectorIndexed", r.vectorIndexed());
        return m;
    }

    private static Receipt fromJson(Map<String, Object> m) {
        return new Receipt(UUID.fromString((String) m.get("id")),
                AuditKind.fromPathName((String) m.get("kind")).orElseThrow(),
                (String) m.get("correlationId"), (String) m.get("createdAt"), Boolean.TRUE.equals(m.get("embedded")),
                Boolean.TRUE.equals(m.get("vectorIndexed")));
    }
}
