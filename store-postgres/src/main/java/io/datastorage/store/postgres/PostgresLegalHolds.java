package io.datastorage.store.postgres;

import io.datastorage.core.audit.Timestamps;
import io.datastorage.core.retention.LegalHold;
import io.datastorage.core.retention.LegalHolds;
import io.datastorage.core.retention.NewLegalHold;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Legal holds in PostgreSQL's {@code legal_holds}, shared by every replica. Obtained from
 * {@link PostgresStore#legalHolds()}. Thread-safe.
 */
final class PostgresLegalHolds implements LegalHolds {
    private static final String COLUMNS = "id, correlation_id, namespace, reason, created_by, created_at, expires_at, "
            + "released_at, released_by";

    private final DataSource dataSource;

    PostgresLegalHolds(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public LegalHold create(NewLegalHold hold, String createdBy, Instant now) {
        LegalHold stored = new LegalHold(UUID.randomUUID(), hold.correlationId(), hold.namespace(), hold.reason(),
                createdBy, Timestamps.toMicros(now), hold.expiresAt() == null ? null : Timestamps.toMicros(hold.expiresAt()),
                null, null); // microseconds: what PostgreSQL keeps, so the answer equals what is read back later
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO legal_holds (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)")) {
            ps.setObject(1, stored.id());
            ps.setString(2, stored.correlationId());
            ps.setString(3, stored.namespace());
            ps.setString(4, stored.reason());
            ps.setString(5, stored.createdBy());
            ps.setObject(6, at(stored.createdAt()));
            ps.setObject(7, at(stored.expiresAt()));
            ps.executeUpdate();
            return stored;
        } catch (SQLException e) {
            throw SqlErrors.translate("storing a legal hold", e);
        }
    }

    @Override
    public Optional<LegalHold> find(UUID id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM legal_holds WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(hold(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading a legal hold", e);
        }
    }

    @Override
    public Optional<LegalHold> release(UUID id, String releasedBy, Instant now) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE legal_holds SET released_at = ?, released_by = ? WHERE id = ? AND released_at IS NULL")) {
            ps.setObject(1, at(Timestamps.toMicros(now)));
            ps.setString(2, releasedBy);
            ps.setObject(3, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("releasing a legal hold", e);
        }
        return find(id);
    }

    @Override
    public List<LegalHold> list(boolean all, Instant now) {
        String sql = "SELECT " + COLUMNS + " FROM legal_holds h"
                + (all ? "" : " WHERE " + PostgresRetention.ACTIVE) + " ORDER BY created_at, id";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (!all) {
                ps.setObject(1, at(now));
            }
            List<LegalHold> holds = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    holds.add(hold(rs));
                }
            }
            return holds;
        } catch (SQLException e) {
            throw SqlErrors.translate("listing legal holds", e);
        }
    }

    private static LegalHold hold(ResultSet rs) throws SQLException {
        return new LegalHold(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), instant(rs.getObject(6, OffsetDateTime.class)),
                instant(rs.getObject(7, OffsetDateTime.class)), instant(rs.getObject(8, OffsetDateTime.class)),
                rs.getString(9));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
