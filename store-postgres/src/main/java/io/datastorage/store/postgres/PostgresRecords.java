package io.datastorage.store.postgres;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.ingest.ContentFingerprint;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.SecondaryWrite;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.MigrationTerms;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordConflictException;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.WriteResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * <p>A migration's write may give ids (and legacy ids): such a write locks each given id and looks
 * it up before inserting (see {@link #storedAlready}), so a record stored already with the same
 * content is answered, not written again, and one with other content is a
 * {@link RecordConflictException}; writes without given ids pay nothing for it. Under
 * {@link MigrationTerms} the transaction's first statements take the phase fence's shared lock and
 * check the phase version ({@link PostgresPhaseFence#check}), and the records written are queued
 * for the legacy side in the same transaction.
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
                                       index_pending, vector_fingerprint, legacy_id, recorded_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?)""";
    /** The first key of the advisory locks on given record ids ("id16"); the second is the id's hash. */
    private static final int GIVEN_ID_LOCKS = 0x69643136;
    private static final String SQLSTATE_NO_PARTITION = "23514";

    private final DataSource dataSource;
    private final Clock clock;
    private final PartitionManager partitions;
    private final RecordReader reader;
    private final PostgresSecondaryWriteQueue queue;
    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();

    PostgresRecords(DataSource dataSource, Clock clock, PartitionManager partitions, RecordReader reader,
                    PostgresSecondaryWriteQueue queue) {
        this.dataSource = dataSource;
        this.queue = queue;
        this.clock = clock;
        this.partitions = partitions;
        this.reader = reader;
    }

    @Override
    public WriteResult write(List<NewRecord> drafts, IdempotencyToken token, BeforeCommit beforeCommit,
                             MigrationTerms terms) {
        if (drafts.isEmpty()) {
            throw new IllegalArgumentException("nothing to write");
        }
        Set<YearMonth> months = new TreeSet<>();
        drafts.forEach(r -> months.add(YearMonth.from(r.draft().createdAt().atOffset(ZoneOffset.UTC))));
        // The ids are chosen once, so a retry indexes and inserts the same records, not a second set.
        List<UUID> recordIds = new ArrayList<>(drafts.size());
        Set<UUID> given = new HashSet<>();
        for (NewRecord draft : drafts) {
            if (draft.id() == null) {
                recordIds.add(ids.generate());
            } else if (given.add(draft.id())) {
                recordIds.add(draft.id());
            } else {
                throw new IllegalArgumentException("record id " + draft.id() + " is given twice in one write");
            }
        }
        try {
            partitions.ensure(months);
            return writeOnce(drafts, recordIds, token, beforeCommit, terms);
        } catch (SQLException e) {
            if (!SQLSTATE_NO_PARTITION.equals(e.getSQLState())) {
                throw SqlErrors.translate("writing " + drafts.size() + " record(s)", e);
            }
        }
        // A partition we believed in is gone (dropped by an operator): look again, retry once.
        try {
            partitions.forget(months);
            partitions.ensure(months);
            return writeOnce(drafts, recordIds, token, beforeCommit, terms);
        } catch (SQLException e) {
            throw SqlErrors.translate("writing " + drafts.size() + " record(s)", e);
        }
    }

    private WriteResult writeOnce(List<NewRecord> drafts, List<UUID> recordIds, IdempotencyToken token,
                                  BeforeCommit beforeCommit, MigrationTerms terms) throws SQLException {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (terms != null) {
                    PostgresPhaseFence.check(c, terms.phaseVersion());
                }
                if (token != null) {
                    Optional<WriteResult> earlier = IdempotencyKeys.claim(c, token);
                    if (earlier.isPresent()) {
                        c.rollback();
                        return earlier.get();
                    }
                }
                Map<Integer, Receipt> storedAlready = storedAlready(c, drafts, recordIds);
                Map<UUID, Long> indexed = index(drafts, recordIds, now, beforeCommit, storedAlready);
                List<Receipt> receipts = insert(c, drafts, recordIds, now, indexed, storedAlready);
                if (terms != null && terms.queueForLegacy()) {
                    List<SecondaryWrite> owed = new ArrayList<>(receipts.size());
                    for (int i = 0; i < receipts.size(); i++) {
                        if (!storedAlready.containsKey(i)) {
                            owed.add(new SecondaryWrite(receipts.get(i).id(), receipts.get(i).kind(),
                                    MigrationSide.LEGACY, terms.phaseVersion()));
                        }
                    }
                    queue.enqueue(c, owed, terms.queueDueIn());
                }
                if (token != null) {
                    IdempotencyKeys.store(c, token, receipts);
                }
                SqlErrors.commit(c, drafts.size());
                return new WriteResult(receipts, false);
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    /**
     * The receipts of the records whose given id is stored already with the same content, by
     * position; throws {@link RecordConflictException} for one stored with other content.
     *
     * <p>The primary key of the partitioned table is {@code (id, created_at)}: PostgreSQL cannot
     * make {@code id} alone unique across partitions, so the same id under another
     * {@code createdAt} would insert a second row. Each given id is therefore locked first (a
     * transaction-level advisory lock on its hash, taken in key order so two writes never wait for
     * each other in a cycle; two ids sharing a hash only wait for each other), then looked up in a
     * statement of its own, whose snapshot, taken after the lock, sees whatever a write that held
     * the lock before committed. Records without a given id take no lock and make no round trip.
     */
    private static Map<Integer, Receipt> storedAlready(Connection c, List<NewRecord> drafts, List<UUID> recordIds)
            throws SQLException {
        List<UUID> given = new ArrayList<>();
        for (NewRecord draft : drafts) {
            if (draft.id() != null) {
                given.add(draft.id());
            }
        }
        if (given.isEmpty()) {
            return Map.of();
        }
        lockGivenIds(c, given);
        record Stored(AuditKind kind, String legacyId, String document, boolean embedded, boolean indexed) {
        }
        Map<UUID, Stored> stored = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, kind, legacy_id, document::text, "
                + "embedding_pending, index_pending FROM audit_records WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("uuid", given.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    Stored row = new Stored(AuditKind.fromPathName(rs.getString(2)).orElse(null), rs.getString(3),
                            rs.getString(4), !rs.getBoolean(5), !rs.getBoolean(6));
                    if (stored.putIfAbsent(id, row) != null) {
                        throw new RecordConflictException(id); // stored twice already: not ours to choose
                    }
                }
            }
        }
        Map<Integer, Receipt> receipts = new HashMap<>();
        for (int i = 0; i < drafts.size(); i++) {
            NewRecord record = drafts.get(i);
            Stored row = record.id() == null ? null : stored.get(recordIds.get(i));
            if (row == null) {
                continue;
            }
            AuditDraft d = record.draft();
            if (row.kind() != d.kind() || !Objects.equals(row.legacyId(), record.legacyId())
                    || !ContentFingerprint.canonical(JsonCodec.readObject(row.document()))
                    .equals(ContentFingerprint.canonical(d.document()))) {
                throw new RecordConflictException(record.id());
            }
            receipts.put(i, new Receipt(record.id(), d.kind(), d.correlationId(), d.createdAtText(), row.embedded(),
                    row.indexed()));
        }
        return receipts;
    }

    /** Takes the transaction-level lock of each given id (see {@link #storedAlready}), in key order. */
    private static void lockGivenIds(Connection c, List<UUID> given) throws SQLException {
        // DISTINCT keeps the subquery from being flattened, so its ORDER BY is the order the locks are taken in.
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(" + GIVEN_ID_LOCKS + ", h) "
                + "FROM (SELECT DISTINCT hashtext(g.id::text) AS h FROM unnest(?::uuid[]) AS g (id) ORDER BY h) AS keys")) {
            ps.setArray(1, c.createArrayOf("uuid", given.toArray()));
            ps.executeQuery().close();
        }
    }

    /**
     * Runs the hook on the records to insert that have an embedding; returns the fingerprints of
     * those it indexed, by id.
     */
    private static Map<UUID, Long> index(List<NewRecord> drafts, List<UUID> recordIds, Instant now,
                                         BeforeCommit beforeCommit, Map<Integer, Receipt> storedAlready) {
        List<IndexableRecord> indexable = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            NewRecord record = drafts.get(i);
            if (record.embedded() && !storedAlready.containsKey(i)) {
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

    /** Inserts the records not stored already; the receipts of all of them, in order. */
    private static List<Receipt> insert(Connection c, List<NewRecord> records, List<UUID> recordIds, Instant now,
                                        Map<UUID, Long> indexed, Map<Integer, Receipt> storedAlready)
            throws SQLException {
        List<Receipt> receipts = new ArrayList<>(records.size());
        try (PreparedStatement ps = c.prepareStatement(INSERT_RECORD)) {
            Timestamp received = Timestamp.from(now);
            for (int i = 0; i < records.size(); i++) {
                if (storedAlready.containsKey(i)) {
                    receipts.add(storedAlready.get(i));
                    continue;
                }
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
                ps.setString(16, record.legacyId());
                ps.setString(17, record.recordedBy());
                ps.addBatch();
                receipts.add(new Receipt(id, d.kind(), d.correlationId(), d.createdAtText(), record.embedded(),
                        fingerprint != null));
            }
            if (storedAlready.size() < records.size()) {
                ps.executeBatch();
            }
        }
        return receipts;
    }

    @Override
    public void undo(List<Receipt> receipts, IdempotencyToken token) {
        Objects.requireNonNull(receipts, "receipts");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!receipts.isEmpty()) {
                    List<UUID> undone = receipts.stream().map(Receipt::id).toList();
                    // the same locks as a write of these ids, so no write answers "stored already" for a record undone
                    lockGivenIds(c, undone);
                    // records are immutable (V14): the trigger lets only an unsealed record be undone, and only when asked so
                    try (Statement s = c.createStatement()) {
                        s.execute("SET LOCAL datastorage.delete_reason = 'undo'");
                    }
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_records a "
                            + "USING unnest(?::uuid[], ?::text[]) AS r (id, kind) WHERE a.id = r.id AND a.kind = r.kind")) {
                        ps.setArray(1, c.createArrayOf("uuid", undone.toArray()));
                        ps.setArray(2, c.createArrayOf("text", receipts.stream().map(r -> r.kind().pathName()).toArray()));
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM secondary_writes WHERE record_id = ANY (?)")) {
                        ps.setArray(1, c.createArrayOf("uuid", undone.toArray()));
                        ps.executeUpdate();
                    }
                }
                if (token != null) {
                    IdempotencyKeys.forget(c, token, receipts);
                }
                SqlErrors.commit(c, receipts.size());
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("undoing a write of " + receipts.size() + " record(s)", e);
        }
    }

    @Override
    public Optional<AuditRecord> find(AuditKind kind, UUID id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT received_at, document::text, embedding_pending, index_pending, legacy_id, recorded_by "
                             + "FROM audit_records WHERE id = ? AND kind = ?")) {
            ps.setObject(1, id);
            ps.setString(2, kind.pathName());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AuditRecord(id, kind, rs.getTimestamp(1).toInstant(),
                        reader.document(id, rs.getString(2)), !rs.getBoolean(3), !rs.getBoolean(4),
                        rs.getString(5), rs.getString(6)));
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
                        last = new AuditPosition(rs.getTimestamp(RecordReader.RECORD_COLUMN_COUNT + 1).toInstant(), rs.getObject(1, UUID.class));
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

    @Override
    public Optional<Instant> firstCreatedAt(AuditKind kind, Instant notBefore) {
        // min() over (kind, created_at): one step of audit_records_kind_time_idx, read backwards
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT min(created_at) FROM audit_records WHERE kind = ? AND created_at >= ?")) {
            ps.setString(1, kind.pathName());
            ps.setTimestamp(2, Timestamp.from(notBefore));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp first = rs.getTimestamp(1);
                return first == null ? Optional.empty() : Optional.of(first.toInstant());
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("finding the next record of kind " + kind.pathName(), e);
        }
    }
}
