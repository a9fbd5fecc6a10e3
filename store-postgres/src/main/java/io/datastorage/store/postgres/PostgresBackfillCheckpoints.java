package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.BackfillCheckpoint;
import io.datastorage.core.migration.BackfillCheckpoints;
import io.datastorage.core.migration.BackfillDirection;
import io.datastorage.core.migration.LegacyPosition;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * The checkpoints of unfinished backfills in {@code migration_backfill_checkpoints} (one row per
 * direction), shared by every replica on one database, so that whichever replica takes the backfill's
 * lease after a crash resumes where the run stood. Each save is one upsert; a connection is held for
 * one call only.
 */
public final class PostgresBackfillCheckpoints implements BackfillCheckpoints {
    private static final String SAVE = """
            INSERT INTO migration_backfill_checkpoints (direction, phase_version, started_at, kind, after_created_at,
                after_key, scanned, copied, skipped, total, unreadable, saved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
            ON CONFLICT (direction) DO UPDATE SET phase_version = excluded.phase_version,
                started_at = excluded.started_at, kind = excluded.kind, after_created_at = excluded.after_created_at,
                after_key = excluded.after_key, scanned = excluded.scanned, copied = excluded.copied,
                skipped = excluded.skipped, total = excluded.total, unreadable = excluded.unreadable,
                saved_at = excluded.saved_at""";
    private static final String FIND = """
            SELECT phase_version, started_at, kind, after_created_at, after_key, scanned, copied, skipped, total,
                unreadable
            FROM migration_backfill_checkpoints WHERE direction = ?""";
    private static final String CLEAR = "DELETE FROM migration_backfill_checkpoints WHERE direction = ?";

    private final DataSource dataSource;

    /** @param dataSource a database migrated by {@link PostgresSchema} (version 13 or later) */
    public PostgresBackfillCheckpoints(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public void save(BackfillCheckpoint checkpoint) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(SAVE)) {
            s.setString(1, checkpoint.direction().value());
            s.setLong(2, checkpoint.phaseVersion());
            s.setObject(3, timestamp(checkpoint.startedAt()));
            s.setString(4, checkpoint.kind().name());
            s.setObject(5, checkpoint.after().map(p -> timestamp(p.createdAt())).orElse(null));
            s.setString(6, checkpoint.after().map(p -> p.key().replace('\0', '\uFFFD')).orElse(null));
            s.setLong(7, checkpoint.scanned());
            s.setLong(8, checkpoint.copied());
            s.setLong(9, checkpoint.skipped());
            s.setLong(10, checkpoint.total());
            s.setLong(11, checkpoint.unreadable());
            s.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("saving the checkpoint of a " + checkpoint.direction().value() + " backfill", e);
        }
    }

    @Override
    public Optional<BackfillCheckpoint> find(BackfillDirection direction) {
        Objects.requireNonNull(direction, "direction");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(FIND)) {
            s.setString(1, direction.value());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                OffsetDateTime afterCreatedAt = rs.getObject(4, OffsetDateTime.class);
                Optional<LegacyPosition> after = afterCreatedAt == null ? Optional.empty()
                        : Optional.of(new LegacyPosition(afterCreatedAt.toInstant(), rs.getString(5)));
                return Optional.of(new BackfillCheckpoint(direction, rs.getLong(1),
                        rs.getObject(2, OffsetDateTime.class).toInstant(), AuditKind.valueOf(rs.getString(3)), after,
                        rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10)));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the checkpoint of a " + direction.value() + " backfill", e);
        }
    }

    @Override
    public void clear(BackfillDirection direction) {
        Objects.requireNonNull(direction, "direction");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(CLEAR)) {
            s.setString(1, direction.value());
            s.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("clearing the checkpoint of a " + direction.value() + " backfill", e);
        }
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
