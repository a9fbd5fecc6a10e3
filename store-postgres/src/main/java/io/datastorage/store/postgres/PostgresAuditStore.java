package io.datastorage.store.postgres;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.Phase;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.index.IdSlices;
import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.PendingEmbedding;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.UnreadableRecordException;
import io.datastorage.core.store.WriteResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link AuditStore} on PostgreSQL, and the {@link SearchStore} semantic search reads records and embeddings from.
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
public final class PostgresAuditStore implements AuditStore, SearchStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresAuditStore.class);
    private static final String INSERT_RECORD = """
            INSERT INTO audit_records (id, kind, correlation_id, name, namespace, phase, severity,
                                       created_at, received_at, labels, document, embedding, embedding_pending,
                                       index_pending, vector_fingerprint)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?)""";
    private static final String INDEXABLE_COLUMNS = "id, kind, namespace, phase, created_at, received_at, embedding";
    /** What {@link #readRecord} reads. */
    private static final String RECORD_COLUMNS = "id, kind, received_at, document::text, embedding_pending, index_pending";
    private static final String CLAIM_KEY = """
            INSERT INTO idempotency_keys (idempotency_key, fingerprint, receipts, created_at)
            VALUES (?, ?, '[]'::jsonb, ?) ON CONFLICT (idempotency_key) DO NOTHING""";
    private static final String SQLSTATE_NO_PARTITION = "23514";

    private final DataSource dataSource;
    private final Clock clock;
    private final PartitionManager partitions;
    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
    private final AtomicLong unreadableRecords = new AtomicLong();

    private PostgresAuditStore(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.partitions = new PartitionManager(dataSource);
    }

    /**
     * Opens the store on a migrated schema (see {@link PostgresSchema#migrate}) and creates the
     * partitions of the current month and {@code monthsAhead} more.
     */
    public static PostgresAuditStore open(DataSource dataSource, Clock clock, int monthsAhead) {
        PostgresAuditStore store = new PostgresAuditStore(dataSource, clock);
        try {
            store.partitions.refresh();
        } catch (SQLException e) {
            throw translate("reading partitions", e);
        }
        store.ensurePartitionsAhead(monthsAhead);
        return store;
    }

    @Override
    public WriteResult write(List<NewRecord> drafts, IdempotencyToken token, BeforeCommit beforeCommit) {
        if (drafts.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
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
                throw translate("writing " + drafts.size() + " record(s)", e);
            }
        }
        // A partition we believed in is gone (dropped by an operator): look again, retry once.
        try {
            partitions.forget(months);
            partitions.ensure(months);
            return writeOnce(drafts, recordIds, token, beforeCommit);
        } catch (SQLException e) {
            throw translate("writing " + drafts.size() + " record(s)", e);
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
                        ps.setString(1, JsonCodec.write(receipts.stream().map(PostgresAuditStore::toJson).toList()));
                        ps.setString(2, token.key());
                        ps.executeUpdate();
                    }
                }
                commit(c, drafts.size());
                return new WriteResult(receipts, false);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
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
                        .map(PostgresAuditStore::fromJson).toList();
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
                ps.setArray(12, record.embedded() ? c.createArrayOf("float4", boxed(record.embedding())) : null);
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
                        document(id, rs.getString(2)), !rs.getBoolean(3), !rs.getBoolean(4)));
            }
        } catch (SQLException e) {
            throw translate("reading record " + id, e);
        }
    }

    @Override
    public AuditPage list(AuditQuery query) {
        List<Condition> filters = listingFilters(query);
        List<Condition> page = new ArrayList<>(filters);
        if (query.after() != null) {
            Timestamp createdAt = Timestamp.from(query.after().createdAt());
            UUID id = query.after().id();
            page.add(new Condition("(created_at, id) < (?, ?)",
                    List.of((ps, i) -> ps.setTimestamp(i, createdAt), (ps, i) -> ps.setObject(i, id))));
        }
        String select = "SELECT " + RECORD_COLUMNS + ", created_at FROM audit_records" + where(page)
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
                ps.setInt(bind(ps, page), query.limit() + 1); // one more than asked: is there a next page?
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
                        readableRecord(rs).ifPresent(items::add);
                    }
                }
            }
            Long total = null;
            if (query.includeTotal()) {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_records" + where(filters))) {
                    bind(ps, filters);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        total = rs.getLong(1);
                    }
                }
                c.commit();
            }
            return new AuditPage(items, more ? last : null, total);
        } catch (SQLException e) {
            throw translate("listing records", e);
        }
    }

    /** Reads a record from the {@link #RECORD_COLUMNS} at the start of the row. */
    private AuditRecord readRecord(ResultSet rs) throws SQLException {
        UUID id = rs.getObject(1, UUID.class);
        return new AuditRecord(id, AuditKind.fromPathName(rs.getString(2)).orElseThrow(),
                rs.getTimestamp(3).toInstant(), document(id, rs.getString(4)), !rs.getBoolean(5), !rs.getBoolean(6));
    }

    /**
     * {@link #readRecord}, or empty for a record whose document cannot be read: a listing or a
     * search leaves it out rather than failing as a whole ({@link #document} logged and counted it).
     */
    private Optional<AuditRecord> readableRecord(ResultSet rs) throws SQLException {
        try {
            return Optional.of(readRecord(rs));
        } catch (UnreadableRecordException e) {
            return Optional.empty();
        }
    }

    /** A stored document, or an {@link UnreadableRecordException} that has been logged and counted. */
    private Map<String, Object> document(UUID id, String json) {
        try {
            return JsonCodec.readObject(json);
        } catch (RuntimeException e) {
            unreadableRecords.incrementAndGet();
            log.error("Record {} cannot be read back ({}); it is left out of listings and searches", id, e.getMessage());
            throw new UnreadableRecordException(id, e);
        }
    }

    /** How many times a stored record could not be read back since start-up (each read counts). */
    public long unreadableRecords() {
        return unreadableRecords.get();
    }

    @Override
    public List<AuditRecord> records(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + RECORD_COLUMNS + " FROM audit_records WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            List<AuditRecord> records = new ArrayList<>(ids.size());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    readableRecord(rs).ifPresent(records::add);
                }
            }
            return records;
        } catch (SQLException e) {
            throw translate("reading " + ids.size() + " search result(s)", e);
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
        List<Condition> conditions = new ArrayList<>(listingFilters(query.build()));
        conditions.add(new Condition("NOT embedding_pending", List.of()));
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, embedding FROM audit_records" + where(conditions) + " ORDER BY created_at DESC, id DESC LIMIT ?")) {
            ps.setInt(bind(ps, conditions), maxRows);
            List<StoredVector> vectors = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    vectors.add(new StoredVector(rs.getObject(1, UUID.class), unboxed((Float[]) rs.getArray(2).getArray())));
                }
            }
            return vectors;
        } catch (SQLException e) {
            throw translate("scanning embeddings for a degraded search", e);
        }
    }

    /** Binds one parameter at {@code index}. */
    private interface Binding {
        void bind(PreparedStatement ps, int index) throws SQLException;
    }

    /** One condition of a WHERE clause and the values of its placeholders, in order. */
    private record Condition(String sql, List<Binding> bindings) {
        static Condition equal(String column, String value) {
            return new Condition(column + " = ?", List.of((ps, i) -> ps.setString(i, value)));
        }
    }

    /** The conditions of the query's filters, without its position. */
    private static List<Condition> listingFilters(AuditQuery query) {
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

    private static String where(List<Condition> conditions) {
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
    private static int bind(PreparedStatement ps, List<Condition> conditions) throws SQLException {
        int index = 1;
        for (Condition condition : conditions) {
            for (Binding binding : condition.bindings()) {
                binding.bind(ps, index++);
            }
        }
        return index;
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
            throw translate("reading pending embeddings", e);
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
                ps.setArray(1, c.createArrayOf("float4", boxed(entry.getValue())));
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
            throw translate("storing " + embeddings.size() + " embedding(s)", e);
        }
    }

    @Override
    public long countPendingEmbeddings() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_records WHERE embedding_pending")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw translate("counting pending embeddings", e);
        }
    }

    @Override
    public List<IndexableRecord> pendingIndex(int limit) {
        return queryIndexable("reading records pending indexing", "SELECT " + INDEXABLE_COLUMNS
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
            throw translate("marking " + indexed.size() + " record(s) indexed", e);
        }
    }

    @Override
    public long countPendingIndex() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_records WHERE index_pending")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw translate("counting records pending indexing", e);
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
            throw translate("reading the oldest record pending indexing", e);
        }
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
            throw translate("summarising the records per id slice", e);
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
            throw translate("reading the fingerprints of id slice " + slice, e);
        }
    }

    @Override
    public List<IndexableRecord> indexable(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return queryIndexable("reading " + ids.size() + " record(s) to index", "SELECT " + INDEXABLE_COLUMNS
                + " FROM audit_records WHERE NOT embedding_pending AND id = ANY (?)",
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("uuid", ids.toArray())));
    }

    @Override
    public List<IndexableRecord> indexedSince(Instant since, IndexableRecord after, int limit) {
        Instant fromTime = after == null ? since : after.receivedAt();
        UUID fromId = after == null ? new UUID(0L, 0L) : after.id(); // the smallest uuid in PostgreSQL's order
        return queryIndexable("reading recently indexed records", "SELECT " + INDEXABLE_COLUMNS
                + " FROM audit_records WHERE NOT index_pending AND received_at >= ? AND (received_at, id) > (?, ?)"
                + " ORDER BY received_at, id LIMIT ?", ps -> {
            ps.setTimestamp(1, Timestamp.from(since));
            ps.setTimestamp(2, Timestamp.from(fromTime));
            ps.setObject(3, fromId);
            ps.setInt(4, limit);
        });
    }

    private interface Parameters {
        void set(PreparedStatement ps) throws SQLException;
    }

    private List<IndexableRecord> queryIndexable(String what, String sql, Parameters parameters) {
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
            throw translate(what, e);
        }
    }

    private static float[] unboxed(Float[] boxed) {
        float[] vector = new float[boxed.length];
        for (int i = 0; i < boxed.length; i++) {
            vector[i] = boxed[i];
        }
        return vector;
    }

    private static Float[] boxed(float[] vector) {
        Float[] boxed = new Float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            boxed[i] = vector[i];
        }
        return boxed;
    }

    /** Creates the partitions of the current month and the next {@code monthsAhead}. */
    public void ensurePartitionsAhead(int monthsAhead) {
        YearMonth current = YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
        List<YearMonth> months = new ArrayList<>();
        for (int i = 0; i <= monthsAhead; i++) {
            months.add(current.plusMonths(i));
        }
        try {
            partitions.ensure(months);
        } catch (SQLException e) {
            throw translate("creating partitions", e);
        }
    }

    /** The months that have a partition, oldest first. */
    public List<YearMonth> partitionMonths() {
        try {
            partitions.refresh();
        } catch (SQLException e) {
            throw translate("reading partitions", e);
        }
        return List.copyOf(partitions.known());
    }

    /**
     * Deletes idempotency keys older than {@code retention}. After that a retry with an old key
     * is treated as a new request.
     *
     * @return how many keys were deleted
     */
    public int purgeIdempotencyKeys(Duration retention) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE created_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(clock.instant().minus(retention)));
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw translate("purging idempotency keys", e);
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

    /**
     * Commits; a connection that breaks during the commit leaves its outcome unknown (the server
     * may have flushed the commit and died before answering), which is said as such instead of as a
     * failure: SQLSTATE class 08 (connection exception), or none at all (an I/O error).
     */
    private static void commit(Connection c, int records) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state == null || state.startsWith("08")) {
                throw new CommitOutcomeUnknownException("the connection to PostgreSQL broke while committing "
                        + records + " record(s) (SQLSTATE " + state + "); they may have been stored", e);
            }
            throw e;
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Connection problems, resource exhaustion, shutdowns and serialisation failures are transient
     * (SQLSTATE classes 08, 53, 57, 40); anything else is unexpected.
     */
    static RuntimeException translate(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean transientState = state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("40");
        if (transientState || e instanceof SQLTransientException) {
            return new StoreUnavailableException("PostgreSQL unavailable while " + what + " (SQLSTATE " + state + ")", e);
        }
        return new StoreException("PostgreSQL failed while " + what + " (SQLSTATE " + state + ")", e);
    }
}
