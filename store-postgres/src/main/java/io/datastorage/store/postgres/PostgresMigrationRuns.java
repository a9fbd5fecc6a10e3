package io.datastorage.store.postgres;

import io.datastorage.core.migration.BackfillDirection;
import io.datastorage.core.migration.BackfillResult;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.SyncReport;
import io.datastorage.core.migration.ValidationResult;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The last finished runs of a migration in {@code migration_backfill_runs} (one row per direction)
 * and {@code migration_validation_runs} (one row), shared by every replica on one database. Each
 * write is one upsert, so the newest finished run replaces the one before, whichever replica ran it.
 * A connection is held for one call only.
 */
public final class PostgresMigrationRuns implements MigrationRuns {
    private static final String SAVE_BACKFILL = """
            INSERT INTO migration_backfill_runs
                (direction, phase_version, started_at, finished_at, complete, scanned, copied, skipped, error,
                unreadable)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (direction) DO UPDATE SET phase_version = excluded.phase_version,
                started_at = excluded.started_at, finished_at = excluded.finished_at, complete = excluded.complete,
                scanned = excluded.scanned, copied = excluded.copied, skipped = excluded.skipped, error = excluded.error,
                unreadable = excluded.unreadable""";
    private static final String LAST_BACKFILL = """
            SELECT phase_version, started_at, finished_at, complete, scanned, copied, skipped, error, unreadable
            FROM migration_backfill_runs WHERE direction = ?""";
    private static final String SAVE_VALIDATION = """
            INSERT INTO migration_validation_runs (id, phase_version, repair, started_at, finished_at, checked,
                missing_in_new, missing_in_legacy, differing, repaired, consistent, duration_millis,
                missing_in_new_ids, missing_in_legacy_ids, differing_ids, unreadable, unreadable_keys)
            VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET phase_version = excluded.phase_version, repair = excluded.repair,
                started_at = excluded.started_at, finished_at = excluded.finished_at, checked = excluded.checked,
                missing_in_new = excluded.missing_in_new, missing_in_legacy = excluded.missing_in_legacy,
                differing = excluded.differing, repaired = excluded.repaired, consistent = excluded.consistent,
                duration_millis = excluded.duration_millis, missing_in_new_ids = excluded.missing_in_new_ids,
                missing_in_legacy_ids = excluded.missing_in_legacy_ids, differing_ids = excluded.differing_ids,
                unreadable = excluded.unreadable, unreadable_keys = excluded.unreadable_keys""";
    private static final String LAST_VALIDATION = """
            SELECT phase_version, repair, started_at, finished_at, checked, missing_in_new, missing_in_legacy,
                differing, repaired, consistent, duration_millis, missing_in_new_ids, missing_in_legacy_ids,
                differing_ids, unreadable, unreadable_keys
            FROM migration_validation_runs WHERE id = 1""";

    private final DataSource dataSource;

    /** @param dataSource a database migrated by {@link PostgresSchema} (version 13 or later) */
    public PostgresMigrationRuns(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public void backfillFinished(BackfillResult result) {
        Objects.requireNonNull(result, "result");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(SAVE_BACKFILL)) {
            s.setString(1, result.direction().value());
            s.setLong(2, result.phaseVersion());
            s.setObject(3, timestamp(result.startedAt()));
            s.setObject(4, timestamp(result.finishedAt()));
            s.setBoolean(5, result.complete());
            s.setLong(6, result.scanned());
            s.setLong(7, result.copied());
            s.setLong(8, result.skipped());
            s.setString(9, result.error().map(PostgresMigrationRuns::storable).orElse(null));
            s.setLong(10, result.unreadable());
            s.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("keeping the result of a " + result.direction().value() + " backfill", e);
        }
    }

    @Override
    public Optional<BackfillResult> lastBackfill(BackfillDirection direction) {
        Objects.requireNonNull(direction, "direction");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(LAST_BACKFILL)) {
            s.setString(1, direction.value());
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new BackfillResult(direction, rs.getLong(1), instant(rs, 2), instant(rs, 3),
                        rs.getBoolean(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(9),
                        Optional.ofNullable(rs.getString(8))));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the last " + direction.value() + " backfill", e);
        }
    }

    @Override
    public void validationFinished(ValidationResult result) {
        Objects.requireNonNull(result, "result");
        SyncReport report = result.report();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(SAVE_VALIDATION)) {
            s.setLong(1, result.phaseVersion());
            s.setBoolean(2, result.repair());
            s.setObject(3, timestamp(report.startedAt()));
            s.setObject(4, timestamp(result.finishedAt()));
            s.setLong(5, report.checked());
            s.setLong(6, report.missingInNew());
            s.setLong(7, report.missingInLegacy());
            s.setLong(8, report.differing());
            s.setLong(9, report.repaired());
            s.setBoolean(10, report.consistent());
            s.setLong(11, report.durationMillis());
            s.setArray(12, uuids(c, report.missingInNewIds()));
            s.setArray(13, uuids(c, report.missingInLegacyIds()));
            s.setArray(14, uuids(c, report.differingIds()));
            s.setLong(15, report.unreadable());
            s.setArray(16, c.createArrayOf("text", report.unreadableKeys().stream().map(PostgresMigrationRuns::storable)
                    .toArray()));
            s.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("keeping the result of a sync validation", e);
        }
    }

    @Override
    public Optional<ValidationResult> lastValidation() {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(LAST_VALIDATION);
             ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            SyncReport report = new SyncReport(rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                    rs.getBoolean(10), rs.getLong(11), instant(rs, 3), uuids(rs, 12), uuids(rs, 13), uuids(rs, 14),
                    rs.getLong(15), texts(rs, 16));
            return Optional.of(new ValidationResult(rs.getLong(1), rs.getBoolean(2), instant(rs, 4), report));
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the last sync validation", e);
        }
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static Array uuids(Connection c, List<UUID> ids) throws SQLException {
        return c.createArrayOf("uuid", ids.toArray());
    }

    private static List<UUID> uuids(ResultSet rs, int column) throws SQLException {
        Array array = rs.getArray(column);
        try {
            return Arrays.stream((Object[]) array.getArray()).map(UUID.class::cast).toList();
        } finally {
            array.free();
        }
    }

    private static List<String> texts(ResultSet rs, int column) throws SQLException {
        Array array = rs.getArray(column);
        try {
            return Arrays.stream((Object[]) array.getArray()).map(String.class::cast).toList();
        } finally {
            array.free();
        }
    }

    /** PostgreSQL's text cannot hold NUL; an error message may carry one from a store's answer. */
    private static String storable(String text) {
        return text.replace('\0', '\uFFFD');
    }
}
