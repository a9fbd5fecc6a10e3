package io.datastorage.server;

import io.datastorage.store.postgres.EmbeddedPostgresServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A legacy audit table in a second, real embedded PostgreSQL, for the tests of the {@code postgres}
 * legacy type: {@code legacy.audit_events (event_id text, created_at timestamptz, event_type,
 * payload jsonb)} and the mapping file that describes it.
 */
final class LegacyPostgres {
    private LegacyPostgres() {
    }

    /** Starts the server under {@code dataDir}/legacy-pg and creates the table. */
    static EmbeddedPostgresServer start(Path dataDir) throws IOException, SQLException {
        EmbeddedPostgresServer legacy = EmbeddedPostgresServer.start(Files.createDirectory(dataDir.resolve("legacy-pg")), 0);
        try (Connection c = DriverManager.getConnection(url(legacy), legacy.user(), null);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA legacy");
            s.execute("CREATE TABLE legacy.audit_events (event_id text NOT NULL, created_at timestamptz NOT NULL, "
                    + "event_type varchar(32) NOT NULL, payload jsonb)");
        }
        return legacy;
    }

    static String url(EmbeddedPostgresServer legacy) {
        return "jdbc:postgresql://localhost:" + legacy.port() + "/postgres";
    }

    /**
     * The service's options for a migration from this table, starting in {@code phase}, then
     * {@code extra}; the mapping file is written to {@code dataDir}.
     */
    static String[] serviceOptions(EmbeddedPostgresServer legacy, Path dataDir, String phase, String... extra)
            throws IOException {
        Path mapping = Files.writeString(dataDir.resolve("mapping.properties"), """
                table=legacy.audit_events
                id-column=event_id
                timestamp-column=created_at
                kind-column=event_type
                document-column=payload
                """);
        List<String> options = new ArrayList<>(List.of("--datastorage.migration.legacy.type=postgres",
                "--datastorage.migration.legacy.db-url=" + url(legacy),
                "--datastorage.migration.legacy.db-user=" + legacy.user(),
                "--datastorage.migration.legacy.mapping-file=" + mapping,
                "--datastorage.migration.phase=" + phase));
        options.addAll(List.of(extra));
        return options.toArray(String[]::new);
    }
}
