package io.datastorage.server.config;

import io.datastorage.store.postgres.EmbeddedPostgresServer;
import io.datastorage.store.postgres.PostgresStoreConfig;

import java.nio.file.Path;

/**
 * Where the database is: an external server from configuration, or the embedded one this process
 * started (and stops on close, after the connection pool has closed).
 */
public record DatabaseServer(String jdbcUrl, String user, String password, EmbeddedPostgresServer embedded)
        implements AutoCloseable {

    /** The external server {@code db} names, or an embedded one started under {@code dataDir/postgres}. */
    static DatabaseServer of(PostgresStoreConfig db, Path dataDir) {
        if (!db.embedded()) {
            return new DatabaseServer(db.url(), db.user(), db.password(), null);
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(
                dataDir.resolve("postgres").toAbsolutePath(), db.embeddedPort(), db.embeddedStartupTimeout());
        return new DatabaseServer(server.jdbcUrl(), server.user(), null, server);
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }

    @Override
    public String toString() {
        // The query string may carry credentials (?password=...): never log it.
        int query = jdbcUrl.indexOf('?');
        return "DatabaseServer[" + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query) + "?…")
                + (isEmbedded() ? ", embedded" : "") + "]";
    }
}
