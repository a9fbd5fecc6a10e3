package io.datastorage.store.postgres;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL store's upkeep, for the job that runs it and the metrics that watch it: monthly
 * partitions ahead of the writes, the purge of old idempotency keys, and the count of records that
 * could not be read back. Obtained from {@link PostgresStore#maintenance()}. Thread-safe.
 */
public final class PostgresMaintenance {
    private final DataSource dataSource;
    private final Clock clock;
    private final PartitionManager partitions;
    private final RecordReader reader;

    PostgresMaintenance(DataSource dataSource, Clock clock, PartitionManager partitions, RecordReader reader) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.partitions = partitions;
        this.reader = reader;
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
            throw SqlErrors.translate("creating partitions", e);
        }
    }

    /** The months that have a partition, oldest first. */
    public List<YearMonth> partitionMonths() {
        try {
            partitions.refresh();
        } catch (SQLException e) {
            throw SqlErrors.translate("reading partitions", e);
        }
        return List.copyOf(partitions.known());
    }

    /**
     * Deletes idempotency keys older than {@code retention}. After that a retry with an old key
     * is treated as a new request. Keys are stamped and aged by the database's clock alone, so a
     * replica whose clock runs ahead neither purges keys early nor stamps them late.
     *
     * @return how many keys were deleted
     */
    public int purgeIdempotencyKeys(Duration retention) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "DELETE FROM idempotency_keys WHERE created_at < now() - ? * interval '1 microsecond'")) {
            ps.setLong(1, retention.toNanos() / 1000);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw SqlErrors.translate("purging idempotency keys", e);
        }
    }

    /** How many times a stored record could not be read back since start-up (each read counts). */
    public long unreadableRecords() {
        return reader.unreadableRecords();
    }
}
