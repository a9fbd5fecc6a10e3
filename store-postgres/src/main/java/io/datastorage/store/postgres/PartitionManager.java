package io.datastorage.store.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Creates the monthly partitions of {@code audit_records} before rows need them.
 *
 * <p>Partition DDL runs in its own short transaction, serialised across every replica by a
 * transaction-scoped advisory lock, so concurrent writers asking for the same new month create it
 * once. The months known to exist are remembered, so the common case (the month exists) costs a
 * set lookup and no round trip.
 */
final class PartitionManager {
    private static final Pattern NAME = Pattern.compile("audit_records_y(\\d{4})m(\\d{2})");
    static final long LOCK_KEY = 0x6461746173746f72L; // "datastor"

    private final DataSource dataSource;
    private final Set<YearMonth> known = ConcurrentHashMap.newKeySet();

    PartitionManager(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    static String partitionName(YearMonth month) {
        return String.format("audit_records_y%04dm%02d", month.getYear(), month.getMonthValue());
    }

    /** Reads the partitions that exist now. */
    void refresh() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT child.relname FROM pg_inherits i
                     JOIN pg_class child ON child.oid = i.inhrelid
                     JOIN pg_class parent ON parent.oid = i.inhparent
                     WHERE parent.relname = 'audit_records'""")) {
            Set<YearMonth> found = new TreeSet<>();
            while (rs.next()) {
                Matcher m = NAME.matcher(rs.getString(1));
                if (m.matches()) {
                    found.add(YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
                }
            }
            known.clear();
            known.addAll(found);
        }
    }

    Set<YearMonth> known() {
        return new TreeSet<>(known);
    }

    /** Makes sure a partition exists for each month. */
    void ensure(Collection<YearMonth> months) throws SQLException {
        Set<YearMonth> missing = new TreeSet<>();
        for (YearMonth month : months) {
            if (!known.contains(month)) {
                missing.add(month);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                for (YearMonth month : missing) {
                    // Values are formatted from YearMonth, never from client text.
                    s.execute("CREATE TABLE IF NOT EXISTS " + partitionName(month)
                            + " PARTITION OF audit_records FOR VALUES FROM ('" + start(month)
                            + "') TO ('" + start(month.plusMonths(1)) + "')");
                    // the parent's TRUNCATE trigger does not fire for a partition truncated by name (V17)
                    s.execute("CREATE OR REPLACE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON "
                            + partitionName(month) + " FOR EACH STATEMENT EXECUTE FUNCTION datastorage_no_truncate()");
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        }
        known.addAll(missing);
    }

    /** Forgets a month, so the next {@link #ensure} checks the database again. */
    void forget(Collection<YearMonth> months) {
        known.removeAll(months);
    }

    private static String start(YearMonth month) {
        return month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC).toString();
    }
}
