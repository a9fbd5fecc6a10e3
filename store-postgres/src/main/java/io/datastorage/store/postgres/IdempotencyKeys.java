package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.WriteResult;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code idempotency_keys} rows a write's transaction claims, fills and, when a write is undone,
 * deletes: shared by the record store's writes and the phase fence, so both key a request the same
 * way. Every method runs in the transaction the caller holds and neither commits nor rolls back.
 */
final class IdempotencyKeys {
    private static final String CLAIM = """
            INSERT INTO idempotency_keys (idempotency_key, fingerprint, receipts, created_at)
            VALUES (?, ?, '[]'::jsonb, now()) ON CONFLICT (idempotency_key) DO NOTHING""";

    private IdempotencyKeys() {
    }

    /**
     * Claims the key, or returns the earlier result of the same request. Claiming is
     * {@code INSERT … ON CONFLICT DO NOTHING} on the key's primary key, so a concurrent request
     * with the same key waits for the first one's commit and then finds its receipts.
     * The key is stamped with the database's time ({@code now()}), never a replica's.
     *
     * @throws IdempotencyConflictException the key is stored with another fingerprint
     */
    static Optional<WriteResult> claim(Connection c, IdempotencyToken token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setString(1, token.key());
            ps.setString(2, token.fingerprint());
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
                return Optional.of(new WriteResult(receipts(rs.getString(2)), true));
            }
        }
    }

    /** Stores the receipts of the write that claimed the key. */
    static void store(Connection c, IdempotencyToken token, List<Receipt> receipts) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE idempotency_keys SET receipts = ?::jsonb WHERE idempotency_key = ?")) {
            ps.setString(1, JsonCodec.write(receipts.stream().map(IdempotencyKeys::toJson).toList()));
            ps.setString(2, token.key());
            ps.executeUpdate();
        }
    }

    /**
     * Deletes the key when the receipts stored with it name exactly these records, in this order
     * (an undone write's); a key that holds another write's receipts, or none, stays.
     *
     * @return whether the key was deleted
     */
    static boolean forget(Connection c, IdempotencyToken token, List<Receipt> receipts) throws SQLException {
        List<UUID> ids = receipts.stream().map(Receipt::id).toList();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT receipts::text FROM idempotency_keys WHERE idempotency_key = ? FOR UPDATE")) {
            ps.setString(1, token.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !receipts(rs.getString(1)).stream().map(Receipt::id).toList().equals(ids)) {
                    return false;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM idempotency_keys WHERE idempotency_key = ?")) {
            ps.setString(1, token.key());
            return ps.executeUpdate() == 1;
        }
    }

    private static List<Receipt> receipts(String json) {
        return JsonCodec.readList(json).stream().map(IdempotencyKeys::fromJson).toList();
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
