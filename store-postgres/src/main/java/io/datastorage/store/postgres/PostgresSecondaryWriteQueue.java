package io.datastorage.store.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.SecondaryWrite;
import io.datastorage.core.migration.SecondaryWriteEntry;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.store.CommitOutcomeUnknownException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The secondary-write queue in the {@code secondary_writes} table, shared by every replica on one
 * database.
 *
 * <p>Every call is one statement in its own short transaction, on a connection borrowed for that
 * statement only: no connection is held while a worker writes to the secondary side. A claim is one
 * {@code UPDATE} whose subquery picks the longest-due rows {@code FOR UPDATE SKIP LOCKED}: workers
 * claiming at once skip the rows another is claiming instead of waiting for them, and a row whose
 * claim committed meanwhile is re-checked against its new {@code due_at} (now in the future) and
 * left out, so each due row goes to one worker. The claim moves {@code due_at} forward by the claim
 * duration, counts an attempt and stores a new claim token; {@code complete} and {@code retryLater}
 * name the token, so a worker whose claim expired and was taken over changes nothing. Due times are {@code now()} of the
 * database, never a replica's clock.
 *
 * <p>{@link #enqueue(Connection, List)} enqueues inside a transaction the caller holds, so that,
 * with PostgreSQL as the primary, a record and its queued secondary write commit together.
 */
public final class PostgresSecondaryWriteQueue implements SecondaryWriteQueue {
    private static final String ENQUEUE = """
            INSERT INTO secondary_writes (record_id, target, kind, phase_version, enqueued_at, due_at)
            SELECT record_id, target, kind, phase_version, now(), now() + ? * interval '1 microsecond'
            FROM unnest(?::uuid[], ?::text[], ?::text[], ?::bigint[]) AS w (record_id, target, kind, phase_version)
            ON CONFLICT (record_id, target) DO NOTHING""";
    private static final String CLAIM = """
            UPDATE secondary_writes w
            SET due_at = now() + ? * interval '1 microsecond', attempts = w.attempts + 1, claim_token = ?
            FROM (SELECT record_id, target, due_at FROM secondary_writes WHERE due_at <= now()
                  ORDER BY due_at, enqueued_at LIMIT ? FOR UPDATE SKIP LOCKED) due
            WHERE w.record_id = due.record_id AND w.target = due.target
            RETURNING w.record_id, w.target, w.kind, w.phase_version, w.enqueued_at, w.attempts, w.last_error,
                      due.due_at, now()""";
    private static final String COMPLETE = "DELETE FROM secondary_writes WHERE record_id = ? AND target = ? AND claim_token = ?";
    private static final String RETRY = """
            UPDATE secondary_writes SET due_at = now() + ? * interval '1 microsecond', last_error = ?
            WHERE record_id = ? AND target = ? AND claim_token = ?""";
    private static final String DISCARD = """
            DELETE FROM secondary_writes w USING unnest(?::uuid[], ?::text[]) AS d (record_id, target)
            WHERE w.record_id = d.record_id AND w.target = d.target""";
    private static final String BACKLOG = "SELECT count(*), min(enqueued_at) FROM secondary_writes";

    private final DataSource dataSource;

    /** @param dataSource a database migrated by {@link PostgresSchema} (version 8 or later) */
    public PostgresSecondaryWriteQueue(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public int enqueue(List<SecondaryWrite> writes, Duration dueIn) {
        check(writes);
        SecondaryWriteQueue.checkDueIn(dueIn);
        if (writes.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int added = enqueue(c, writes, dueIn);
                commit(c, writes.size());
                return added;
            } catch (SQLException | RuntimeException e) {
                SqlErrors.rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("enqueueing " + writes.size() + " secondary write(s)", e);
        }
    }

    /**
     * Enqueues the writes in the transaction {@code connection} holds: they commit or roll back
     * with it. Neither commits nor rolls back; a failure is thrown as JDBC's, for the caller to
     * handle with the rest of its transaction.
     *
     * @return how many entries were added (the others were queued already)
     */
    public int enqueue(Connection connection, List<SecondaryWrite> writes) throws SQLException {
        return enqueue(connection, writes, Duration.ZERO);
    }

    /** {@link #enqueue(Connection, List)}, each added entry due after {@code dueIn}. */
    public int enqueue(Connection connection, List<SecondaryWrite> writes, Duration dueIn) throws SQLException {
        check(writes);
        SecondaryWriteQueue.checkDueIn(dueIn);
        if (writes.isEmpty()) {
            return 0;
        }
        try (PreparedStatement s = connection.prepareStatement(ENQUEUE)) { // one statement, however many
            s.setLong(1, dueIn.toNanos() / 1000);
            s.setArray(2, connection.createArrayOf("uuid", writes.stream().map(SecondaryWrite::recordId).toArray()));
            s.setArray(3, connection.createArrayOf("text", writes.stream().map(w -> w.target().name()).toArray()));
            s.setArray(4, connection.createArrayOf("text", writes.stream().map(w -> w.kind().pathName()).toArray()));
            s.setArray(5, connection.createArrayOf("bigint", writes.stream().map(SecondaryWrite::phaseVersion).toArray()));
            return s.executeUpdate();
        }
    }

    @Override
    public int discard(List<SecondaryWrite> writes) {
        check(writes);
        if (writes.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(DISCARD)) {
            s.setArray(1, c.createArrayOf("uuid", writes.stream().map(SecondaryWrite::recordId).toArray()));
            s.setArray(2, c.createArrayOf("text", writes.stream().map(w -> w.target().name()).toArray()));
            return s.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("discarding " + writes.size() + " secondary write(s)", e);
        }
    }

    @Override
    public List<SecondaryWriteEntry> claim(int limit, Duration duration) {
        SecondaryWriteQueue.checkClaim(limit, duration);
        record Claimed(SecondaryWriteEntry entry, OffsetDateTime dueAt) {
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(CLAIM)) {
            UUID claim = UUID.randomUUID();
            s.setLong(1, micros(duration));
            s.setObject(2, claim);
            s.setInt(3, limit);
            List<Claimed> claimed = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    SecondaryWrite write = new SecondaryWrite(rs.getObject(1, UUID.class),
                            kind(rs.getString(3)), MigrationSide.valueOf(rs.getString(2)), rs.getLong(4));
                    claimed.add(new Claimed(new SecondaryWriteEntry(write, rs.getObject(5, OffsetDateTime.class)
                            .toInstant(), rs.getInt(6), rs.getString(7), claim, rs.getObject(9, OffsetDateTime.class)
                            .toInstant()), rs.getObject(8, OffsetDateTime.class)));
                }
            }
            // RETURNING keeps no order: put them back in the order they were due.
            return claimed.stream()
                    .sorted(Comparator.comparing((Claimed one) -> one.dueAt().toInstant())
                            .thenComparing(one -> one.entry().enqueuedAt()))
                    .map(Claimed::entry)
                    .toList();
        } catch (SQLException e) {
            throw SqlErrors.translate("claiming secondary writes", e);
        }
    }

    @Override
    public boolean complete(SecondaryWriteEntry entry) {
        Objects.requireNonNull(entry, "entry");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(COMPLETE)) {
            s.setObject(1, entry.write().recordId());
            s.setString(2, entry.write().target().name());
            s.setObject(3, entry.claim());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw SqlErrors.translate("completing the secondary write of record " + entry.write().recordId(), e);
        }
    }

    @Override
    public boolean retryLater(SecondaryWriteEntry entry, Duration backoff, String error) {
        String kept = SecondaryWriteQueue.checkRetry(entry, backoff, error);
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(RETRY)) {
            s.setLong(1, micros(backoff));
            s.setString(2, kept);
            s.setObject(3, entry.write().recordId());
            s.setString(4, entry.write().target().name());
            s.setObject(5, entry.claim());
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw SqlErrors.translate("rescheduling the secondary write of record " + entry.write().recordId(), e);
        }
    }

    @Override
    public boolean holds(UUID recordId, MigrationSide target) {
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(target, "target");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM secondary_writes WHERE record_id = ? AND target = ?)")) {
            s.setObject(1, recordId);
            s.setString(2, target.name());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("looking up a queued secondary write", e);
        }
    }

    @Override
    public boolean holdsAny(MigrationSide target) {
        Objects.requireNonNull(target, "target");
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM secondary_writes WHERE target = ?)")) {
            s.setString(1, target.name());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw SqlErrors.translate("looking up the queued secondary writes to " + target, e);
        }
    }

    @Override
    public Backlog backlog() {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(BACKLOG);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
            return new Backlog(rs.getLong(1), Optional.ofNullable(oldest).map(OffsetDateTime::toInstant));
        } catch (SQLException e) {
            throw SqlErrors.translate("reading the secondary-write backlog", e);
        }
    }

    /** A broken connection during the commit leaves the outcome unknown, which is said as such. */
    private static void commit(Connection c, int writes) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state == null || state.startsWith("08")) {
                throw new CommitOutcomeUnknownException("the connection to PostgreSQL broke while enqueueing " + writes
                        + " secondary write(s) (SQLSTATE " + state + "); they may have been queued: enqueueing again is safe", e);
            }
            throw e;
        }
    }

    private static void check(List<SecondaryWrite> writes) {
        Objects.requireNonNull(writes, "writes").forEach(write -> Objects.requireNonNull(write, "write"));
    }

    private static AuditKind kind(String pathName) {
        return AuditKind.fromPathName(pathName)
                .orElseThrow(() -> new IllegalStateException("secondary_writes holds an unknown kind '" + pathName + "'"));
    }

    /** At most a day ({@link SecondaryWriteQueue#MAX_DELAY}): no overflow. */
    private static long micros(Duration duration) {
        return duration.getSeconds() * 1_000_000L + duration.getNano() / 1000;
    }
}
