package io.datastorage.legacy.postgres;

import io.datastorage.store.postgres.EmbeddedPostgresServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The tests' legacy database: one real PostgreSQL for the test JVM (a second one, apart from any
 * datastorage store), and a fresh, empty database on it per call of {@link #freshDatabase()}.
 */
final class LegacyTestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgresServer server;

    private LegacyTestDatabase() {
    }

    static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("datastorage-legacy-pg-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = EmbeddedPostgresServer.start(dir, 0);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                try (Stream<Path> paths = Files.walk(dir)) {
                    paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // best effort
                }
            }));
        }
        return server;
    }

    /** A new empty database; its JDBC URL. */
    static String freshDatabase() {
        String name = "legacy_" + COUNTER.incrementAndGet();
        execute(url("postgres"), "CREATE DATABASE " + name);
        return url(name);
    }

    static String url(String database) {
        return "jdbc:postgresql://localhost:" + server().port() + "/" + database;
    }

    static String user() {
        return server().user();
    }

    static void execute(String url, String... statements) {
        try (Connection c = DriverManager.getConnection(url, user(), null); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
