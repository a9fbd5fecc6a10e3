package io.datastorage.store.postgres;

import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.PhaseChange;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.PhaseTransition;
import io.datastorage.core.migration.StalePhaseVersionException;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.StoreUnavailableException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The migration phase in the {@code migration_phase} row and its {@code migration_phase_history},
 * shared by every replica on one database.
 *
 * <p>A change is one transaction at READ COMMITTED: read the row, refuse a stale version or an
 * illegal move, then {@code UPDATE … WHERE version = expected} and insert the history row. Two
 * changes racing from one version both pass the read; PostgreSQL makes the second
 * {@code UPDATE} wait for the first to commit and then re-check its {@code WHERE} against the new
 * row, which no longer matches: it updates nothing, and the change is refused as stale. Times are
 * the database's ({@code statement_timestamp()} of the {@code UPDATE}, which runs after the previous
 * version committed), so they grow with the versions whatever the replicas' clocks say. A
 * connection is held for one call only.
 *
 * <p>A change first takes the phase fence's advisory lock exclusively ({@link PostgresPhaseFence}):
 * it waits for every write fenced to the current version to end, so none of them commits after the
 * new version is stored.
 */
public final class PostgresPhaseStore implements PhaseStore {
    private static final String CURRENT = "SELECT phase, version, changed_at FROM migration_phase WHERE id = 1";
    private static final String INITIALISE = """
            INSERT INTO migration_phase (id, phase, version, changed_at) VALUES (1, ?, 1, statement_timestamp())
            ON CONFLICT (id) DO NOTHING
            RETURNING phase, version, changed_at""";
    private static final String CHANGE = """
            UPDATE migration_phase SET phase = ?, version = version + 1, changed_at = statement_timestamp()
            WHERE id = 1 AND version = ?
            RETURNING phase, version, changed_at""";
    private static final String RECORD = """
            INSERT INTO migration_phase_history (version, from_phase, to_phase, changed_at, changed_by, reason, forced)
            VALUES (?, ?, ?, ?, ?, ?, ?)""";
    private static final String HISTORY = """
            SELECT version, from_phase, to_phase, changed_at, changed_by, reason, forced FROM migration_phase_history
            WHERE version < ? ORDER BY version DESC LIMIT ?""";

    private final Duration fenceWait;
    private final DataSource dataSource;

    /** @param dataSource a database migrated by {@link PostgresSchema} (version 12 or later) */
    public PostgresPhaseStore(DataSource dataSource) {
        this(dataSource, FENCE_WAIT);
    }

    /** @param fenceWait the longest a change waits for the writes in flight, whole seconds, at least 1 */
    PostgresPhaseStore(DataSource dataSource, Duration fenceWait) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (fenceWait.toSeconds() < 1) {
            throw new IllegalArgumentException("a phase change waits at least 1 s for writes in flight, was " + fenceWait);
        }
        this.fenceWait = fenceWait;
    }

    @Override
    public Optional<PhaseState> current() {
        try (Connection c = dataSource.getConnection()) {
            return read(c);
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the migration phase", e);
        }
    }

    @Override
    public PhaseState initialiseIfAbsent(MigrationPhase phase, String who, String reason) {
        PhaseStore.checkArguments(phase, who, reason);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                PhaseState stored;
                try (PreparedStatement s = c.prepareStatement(INITIALISE)) {
                    s.setString(1, phase.name());
                    stored = single(s);
                }
                if (stored != null) {
                    record(c, null, stored, who, reason, false);
                } else { // stored before, or by a racing initialisation that has committed since
                    stored = read(c).orElseThrow(() -> new IllegalStateException("migration_phase lost its row"));
                }
                commit(c, "storing the initial migration phase " + phase);
                return stored;
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("storing the initial migration phase", e);
        }
    }

    /**
     * The longest a change waits for the writes fenced to the current version (each bounded by its
     * deadline, 30 s by default); then it is refused as unavailable, and nothing changed.
     */
    static final Duration FENCE_WAIT = Duration.ofSeconds(60);
    private static final String SQLSTATE_LOCK_TIMEOUT = "55P03";

    /** The current state, if {@code to} may follow it at {@code expectedVersion}. */
    private static PhaseState check(Optional<PhaseState> stored, long expectedVersion, MigrationPhase to) {
        PhaseState current = stored.orElseThrow(() -> new IllegalStateException(
                "no migration phase is stored yet: initialise it before changing it"));
        if (current.version() != expectedVersion) {
            throw new StalePhaseVersionException(expectedVersion, current);
        }
        PhaseTransition.between(current.phase(), to);
        return current;
    }

    @Override
    public PhaseState change(long expectedVersion, MigrationPhase to, String who, String reason, boolean forced) {
        PhaseStore.checkArguments(to, who, reason, forced);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // Refused before the lock too: a stale or illegal move must not make every write wait.
                check(read(c), expectedVersion, to);
                try (PreparedStatement s = c.prepareStatement("SET LOCAL lock_timeout = '" + fenceWait.toSeconds()
                        + "s'; SELECT pg_advisory_xact_lock(" + PostgresPhaseFence.LOCK_CLASS + ", 1)")) {
                    s.execute(); // waits for the writes fenced to the current version
                } catch (SQLException e) {
                    if (!SQLSTATE_LOCK_TIMEOUT.equals(e.getSQLState())) {
                        throw e;
                    }
                    throw new StoreUnavailableException("the phase change waited " + fenceWait.toSeconds()
                            + " s for the writes in flight to end and gave up; nothing changed", e);
                }
                PhaseState current = check(read(c), expectedVersion, to);
                PhaseState next;
                try (PreparedStatement s = c.prepareStatement(CHANGE)) {
                    s.setString(1, to.name());
                    s.setLong(2, expectedVersion);
                    next = single(s);
                }
                if (next == null) { // a racing change won; this statement sees what it committed
                    throw new StalePhaseVersionException(expectedVersion, read(c).orElseThrow());
                }
                record(c, current.phase(), next, who, reason, forced);
                commit(c, "changing the migration phase to " + to);
                return next;
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("changing the migration phase to " + to, e);
        }
    }

    @Override
    public List<PhaseChange> history(long beforeVersion, int limit) {
        PhaseStore.checkLimit(limit);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(HISTORY)) {
            s.setLong(1, beforeVersion);
            s.setInt(2, limit);
            List<PhaseChange> page = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String from = rs.getString(2);
                    page.add(new PhaseChange(from == null ? null : MigrationPhase.valueOf(from),
                            MigrationPhase.valueOf(rs.getString(3)), rs.getLong(1), instant(rs, 4),
                            rs.getString(5), rs.getString(6), rs.getBoolean(7)));
                }
            }
            return page;
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the migration phase history", e);
        }
    }

    private static Optional<PhaseState> read(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(CURRENT)) {
            return Optional.ofNullable(single(s));
        }
    }

    /** The state a statement returns (phase, version, changed_at), or null when it returns no row. */
    private static PhaseState single(PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            return rs.next() ? new PhaseState(MigrationPhase.valueOf(rs.getString(1)), rs.getLong(2), instant(rs, 3)) : null;
        }
    }

    private static void record(Connection c, MigrationPhase from, PhaseState state, String who, String reason,
                               boolean forced) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(RECORD)) {
            s.setLong(1, state.version());
            s.setString(2, from == null ? null : from.name());
            s.setString(3, state.phase().name());
            s.setObject(4, OffsetDateTime.ofInstant(state.changedAt(), ZoneOffset.UTC));
            s.setString(5, who);
            s.setString(6, reason);
            s.setBoolean(7, forced);
            s.executeUpdate();
        }
    }

    /** A broken connection during the commit leaves the outcome unknown, which is said as such. */
    private static void commit(Connection c, String what) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state == null || state.startsWith("08")) {
                throw new CommitOutcomeUnknownException("the connection to PostgreSQL broke while " + what
                        + " (SQLSTATE " + state + "); it may have been stored: read the current phase", e);
            }
            throw e;
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }
}
