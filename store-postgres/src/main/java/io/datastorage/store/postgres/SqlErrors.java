package io.datastorage.store.postgres;

import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.StoreUnavailableException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;

/** How the store's roles turn JDBC's errors into the store's exceptions, and end a transaction. */
final class SqlErrors {

    private SqlErrors() {
    }

    /**
     * Connection problems, resource exhaustion, shutdowns and serialisation failures are transient
     * (SQLSTATE classes 08, 53, 57, 40); anything else is unexpected, the immutability trigger's
     * refusal (P0001) said as such.
     */
    static RuntimeException translate(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        boolean transientState = state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("40");
        if (transientState || e instanceof SQLTransientException) {
            return new StoreUnavailableException("PostgreSQL unavailable while " + what + " (SQLSTATE " + state + ")", e);
        }
        if ("P0001".equals(state) && e.getMessage() != null && e.getMessage().contains("audit records are immutable")) {
            // the immutability trigger (V14): a bug or an operator's mistake, never the client's; say which
            return new StoreException("PostgreSQL refused " + what + ": audit records are immutable (SQLSTATE P0001)", e);
        }
        return new StoreException("PostgreSQL failed while " + what + " (SQLSTATE " + state + ")", e);
    }

    /**
     * Commits; a connection that breaks during the commit leaves its outcome unknown (the server
     * may have flushed the commit and died before answering), which is said as such instead of as a
     * failure: SQLSTATE class 08 (connection exception), or none at all (an I/O error).
     */
    static void commit(Connection c, int records) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            String state = e.getSQLState();
            if (state == null || state.startsWith("08")) {
                throw new CommitOutcomeUnknownException("the connection to PostgreSQL broke while committing "
                        + records + " record(s) (SQLSTATE " + state + "); they may have been stored", e);
            }
            throw e;
        }
    }

    static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
