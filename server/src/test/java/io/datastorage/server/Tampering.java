package io.datastorage.server;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Changes stored rows the way only someone holding the database's superuser keys could: in a
 * replica session, which fires none of the triggers that keep audit records immutable. Tests use
 * it to damage records (an unreadable document, altered content) and check what the service makes
 * of them.
 */
public final class Tampering {
    private Tampering() {
    }

    /** Runs {@code sql} with {@code args} in a transaction of its own; returns the rows changed. */
    public static int update(DataSource dataSource, String sql, Object... args) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); PreparedStatement ps = c.prepareStatement(sql)) {
                s.execute("SET LOCAL session_replication_role = replica");
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                int changed = ps.executeUpdate();
                c.commit();
                return changed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
