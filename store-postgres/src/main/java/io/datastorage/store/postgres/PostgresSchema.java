package io.datastorage.store.postgres;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Checks the server and brings the schema up to date. Run once at start-up, before serving. */
public final class PostgresSchema {
    /** PostgreSQL 15 or newer. */
    public static final int MIN_SERVER_VERSION_NUM = 150000;

    private PostgresSchema() {
    }

    /**
     * Refuses servers older than PostgreSQL 15, then applies pending Flyway migrations.
     *
     * @return the number of migrations applied
     * @throws IllegalStateException naming the server version when it is too old
     */
    public static int migrate(DataSource dataSource) {
        int version = serverVersionNum(dataSource);
        if (version < MIN_SERVER_VERSION_NUM) {
            throw new IllegalStateException("PostgreSQL " + (version / 10000) + " is too old: datastorage needs "
                    + "PostgreSQL 15 or newer (server_version_num " + version + " < " + MIN_SERVER_VERSION_NUM + ")");
        }
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        return result.migrationsExecuted;
    }

    static int serverVersionNum(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach PostgreSQL: " + e.getMessage(), e);
        }
    }
}
