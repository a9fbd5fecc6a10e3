package io.datastorage.store.postgres;

import io.datastorage.core.integrity.ChainHasher;
import io.datastorage.core.integrity.ChainId;
import io.datastorage.core.integrity.ChainLink;
import io.datastorage.core.integrity.ChainRecord;
import io.datastorage.core.integrity.IntegrityStore;
import io.datastorage.core.integrity.SealedRecord;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The hash chains on PostgreSQL (V14): sealing records into them and reading them for a
 * verification. A chain is the records of a kind created in a UTC month; its head is its row of
 * {@code integrity_chains}, a record's link its {@code chain_seq} and {@code chain_hash}.
 *
 * <p>Sealing one batch of a chain is one transaction: the head row is created at seq 0 with the
 * genesis hash if the chain has none yet, then locked ({@code FOR UPDATE}), so that of two sealers
 * (replicas, or a lease that lapsed during a pause) one seals the chain at a time and the other,
 * once it has the lock, reads only the records still unsealed; the records' links and the new head
 * commit together or not at all, so a crash leaves no gap. A record a concurrent undo deleted makes
 * the batch roll back; the next run seals what is left. Thread-safe.
 */
public final class PostgresIntegrity implements IntegrityStore {
    private static final String SEALED_COLUMNS =
            "id, created_at, received_at, recorded_by, legacy_id, document::text, chain_seq, chain_hash";
    /**
     * The first column the service derives from the document (AuditValidator: the members of the
     * same names, phase and severity as written, labels {} when absent) that no longer matches it,
     * or NULL. The link covers the document; these copies are what filters, legal holds and
     * retention go by, so a tampered copy must be found too.
     */
    private static final String DIVERGENT_COLUMN = """
            CASE WHEN correlation_id IS DISTINCT FROM document->>'correlationId' THEN 'correlationId'
                 WHEN name IS DISTINCT FROM document->>'name' THEN 'name'
                 WHEN namespace IS DISTINCT FROM document->>'namespace' THEN 'namespace'
                 WHEN phase IS DISTINCT FROM document->>'phase' THEN 'phase'
                 WHEN severity IS DISTINCT FROM document->>'severity' THEN 'severity'
                 WHEN labels IS DISTINCT FROM coalesce(document->'labels', '{}'::jsonb) THEN 'labels' END""";

    private final DataSource dataSource;

    PostgresIntegrity(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Seals the records received before {@code receivedBefore} that are not sealed yet: per chain,
     * batches of at most {@code batch} in {@code (received_at, id)} order, each its own transaction.
     *
     * @param maxBatches how many batches one call seals at most, over all chains (a bounded run)
     * @return how many records were sealed
     */
    public long seal(ChainHasher hasher, Instant receivedBefore, int batch, int maxBatches) {
        List<ChainId> chains = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT DISTINCT kind, "
                     + "date_trunc('month', created_at AT TIME ZONE 'UTC')::date FROM audit_records "
                     + "WHERE chain_seq IS NULL AND received_at < ? ORDER BY 1, 2")) {
            ps.setTimestamp(1, Timestamp.from(receivedBefore));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    chains.add(new ChainId(rs.getString(1), YearMonth.from(rs.getObject(2, LocalDate.class))));
                }
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("finding records to seal", e);
        }
        long sealed = 0;
        int batches = 0;
        for (ChainId chain : chains) {
            int last;
            do {
                last = sealBatch(chain, hasher, receivedBefore, batch);
                sealed += last;
                batches++;
            } while (last == batch && batches < maxBatches);
            if (batches >= maxBatches) {
                break;
            }
        }
        return sealed;
    }

    private int sealBatch(ChainId chain, ChainHasher hasher, Instant receivedBefore, int batch) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO integrity_chains (kind, month, seq, hash) "
                        + "VALUES (?, ?, 0, ?) ON CONFLICT (kind, month) DO NOTHING")) {
                    ps.setString(1, chain.kind());
                    ps.setObject(2, chain.month().atDay(1));
                    ps.setBytes(3, ChainHasher.GENESIS);
                    ps.executeUpdate();
                }
                long seq;
                byte[] hash;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT seq, hash FROM integrity_chains WHERE kind = ? AND month = ? FOR UPDATE")) {
                    ps.setString(1, chain.kind());
                    ps.setObject(2, chain.month().atDay(1));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        seq = rs.getLong(1);
                        hash = rs.getBytes(2);
                    }
                }
                // read after the lock: this statement's snapshot sees what a sealer before us committed
                List<ChainRecord> records = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT " + SEALED_COLUMNS + " FROM audit_records "
                        + "WHERE kind = ? AND created_at >= ? AND created_at < ? AND chain_seq IS NULL AND received_at < ? "
                        + "ORDER BY received_at, id LIMIT ?")) {
                    int i = bindChain(ps, 1, chain);
                    ps.setTimestamp(i, Timestamp.from(receivedBefore));
                    ps.setInt(i + 1, batch);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            records.add(chainRecord(chain, rs));
                        }
                    }
                }
                if (records.isEmpty()) {
                    c.commit();
                    return 0;
                }
                UUID[] ids = new UUID[records.size()];
                Long[] seqs = new Long[records.size()];
                String[] hashes = new String[records.size()];
                for (int i = 0; i < records.size(); i++) {
                    seq++;
                    hash = hasher.link(hash, seq, records.get(i));
                    ids[i] = records.get(i).id();
                    seqs[i] = seq;
                    hashes[i] = HexFormat.of().formatHex(hash);
                }
                int updated;
                try (PreparedStatement ps = c.prepareStatement("UPDATE audit_records a SET chain_seq = u.seq, "
                        + "chain_hash = decode(u.hash, 'hex') FROM unnest(?::uuid[], ?::bigint[], ?::text[]) AS u (id, seq, hash) "
                        + "WHERE a.kind = ? AND a.created_at >= ? AND a.created_at < ? AND a.id = u.id AND a.chain_seq IS NULL")) {
                    ps.setArray(1, c.createArrayOf("uuid", ids));
                    ps.setArray(2, c.createArrayOf("bigint", seqs));
                    ps.setArray(3, c.createArrayOf("text", hashes));
                    bindChain(ps, 4, chain);
                    updated = ps.executeUpdate();
                }
                if (updated != records.size()) { // a record was undone meanwhile: seal the rest next time
                    c.rollback();
                    return 0;
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE integrity_chains SET seq = ?, hash = ? WHERE kind = ? AND month = ?")) {
                    ps.setLong(1, seq);
                    ps.setBytes(2, hash);
                    ps.setString(3, chain.kind());
                    ps.setObject(4, chain.month().atDay(1));
                    ps.executeUpdate();
                }
                c.commit();
                return records.size();
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("sealing records of " + chain.kind() + " " + chain.month(), e);
        }
    }

    @Override
    public List<ChainLink> heads() {
        return links("SELECT kind, month, seq, hash FROM integrity_chains", "reading the chains' heads");
    }

    @Override
    public Map<ChainId, ChainLink> checkpoints() {
        Map<ChainId, ChainLink> checkpoints = new HashMap<>();
        for (ChainLink link : links("SELECT kind, month, seq, hash FROM integrity_checkpoints",
                "reading the integrity checkpoints")) {
            checkpoints.put(link.chain(), link);
        }
        return checkpoints;
    }

    private List<ChainLink> links(String sql, String what) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            List<ChainLink> links = new ArrayList<>();
            while (rs.next()) {
                links.add(new ChainLink(new ChainId(rs.getString(1), YearMonth.from(rs.getObject(2, LocalDate.class))),
                        rs.getLong(3), rs.getBytes(4)));
            }
            return links;
        } catch (SQLException e) {
            throw SqlErrors.translate(what, e);
        }
    }

    @Override
    public List<SealedRecord> sealed(ChainId chain, long afterSeq, long upToSeq, int limit) {
        return sealedWhere(chain, "chain_seq > ? AND chain_seq <= ? ORDER BY chain_seq, id LIMIT ?",
                List.of(afterSeq, upToSeq, (long) limit));
    }

    @Override
    public Optional<SealedRecord> sealedAt(ChainId chain, long seq) {
        return sealedWhere(chain, "chain_seq = ? ORDER BY id LIMIT 1", List.of(seq)).stream().findFirst();
    }

    private List<SealedRecord> sealedWhere(ChainId chain, String condition, List<Long> args) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + SEALED_COLUMNS + ", " + DIVERGENT_COLUMN
                     + " FROM audit_records WHERE kind = ? AND created_at >= ? AND created_at < ? AND " + condition)) {
            int i = bindChain(ps, 1, chain);
            for (Long arg : args) {
                ps.setLong(i++, arg);
            }
            List<SealedRecord> records = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.add(new SealedRecord(chainRecord(chain, rs), rs.getLong(7), rs.getBytes(8), rs.getString(9)));
                }
            }
            return records;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the chain " + chain.kind() + " " + chain.month(), e);
        }
    }

    @Override
    public Map<ChainId, UnsealedRecords> unsealed(Instant receivedBefore) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT DISTINCT ON (kind, month) kind, month, id, received_at, "
                     + "count(*) OVER (PARTITION BY kind, month) FROM (SELECT kind, "
                     + "date_trunc('month', created_at AT TIME ZONE 'UTC')::date AS month, id, received_at "
                     + "FROM audit_records WHERE chain_seq IS NULL AND received_at < ?) AS u "
                     + "ORDER BY kind, month, received_at, id")) {
            ps.setTimestamp(1, Timestamp.from(receivedBefore));
            Map<ChainId, UnsealedRecords> unsealed = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    unsealed.put(new ChainId(rs.getString(1), YearMonth.from(rs.getObject(2, LocalDate.class))),
                            new UnsealedRecords(rs.getObject(3, UUID.class), rs.getTimestamp(4).toInstant(),
                                    rs.getLong(5)));
                }
            }
            return unsealed;
        } catch (SQLException e) {
            throw SqlErrors.translate("finding unsealed records", e);
        }
    }

    @Override
    public void checkpoint(ChainLink verified, Instant at) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO integrity_checkpoints (kind, month, seq, hash, "
                     + "verified_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, month) DO UPDATE SET seq = excluded.seq, "
                     + "hash = excluded.hash, verified_at = excluded.verified_at, broken_at = NULL")) {
            ps.setString(1, verified.chain().kind());
            ps.setObject(2, verified.chain().month().atDay(1));
            ps.setLong(3, verified.seq());
            ps.setBytes(4, verified.hash());
            ps.setTimestamp(5, Timestamp.from(at));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("storing an integrity checkpoint", e);
        }
    }

    @Override
    public void markBroken(ChainId chain, Instant at) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "UPDATE integrity_checkpoints SET broken_at = ? WHERE kind = ? AND month = ?")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, chain.kind());
            ps.setObject(3, chain.month().atDay(1));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("marking an integrity checkpoint broken", e);
        }
    }

    @Override
    public Set<ChainId> markedBroken() {
        Set<ChainId> marked = new HashSet<>();
        for (ChainLink link : links("SELECT kind, month, seq, hash FROM integrity_checkpoints WHERE broken_at IS NOT NULL",
                "reading the integrity checkpoints marked broken")) {
            marked.add(link.chain());
        }
        return marked;
    }

    @Override
    public long unsealedCount() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_records WHERE chain_seq IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw SqlErrors.translate("counting unsealed records", e);
        }
    }

    /** Binds kind and the month's range of created_at from {@code index}; returns the next index. */
    private static int bindChain(PreparedStatement ps, int index, ChainId chain) throws SQLException {
        ps.setString(index, chain.kind());
        ps.setTimestamp(index + 1, Timestamp.from(chain.month().atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()));
        ps.setTimestamp(index + 2, Timestamp.from(chain.month().plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant()));
        return index + 3;
    }

    private static ChainRecord chainRecord(ChainId chain, ResultSet rs) throws SQLException {
        String text = rs.getString(6);
        Object document;
        try {
            document = JsonCodec.readObject(text);
        } catch (RuntimeException e) { // an unreadable record: its link covers its text (see ChainRecord)
            document = text;
        }
        return new ChainRecord(rs.getObject(1, UUID.class), chain.kind(), rs.getTimestamp(2).toInstant(),
                rs.getTimestamp(3).toInstant(), rs.getString(4), rs.getString(5), document);
    }
}
