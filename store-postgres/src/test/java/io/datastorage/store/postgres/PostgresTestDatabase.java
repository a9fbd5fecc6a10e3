package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.store.AuditStore;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the whole test JVM; each call of {@link #freshDatabase()} creates an
 * empty, migrated database on it so test classes do not see each other's rows.
 */
final class PostgresTestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgresServer server;

    private PostgresTestDatabase() {
    }

    /** Runs one statement on {@code dataSource} (test set-up: truncating, moving times back). */
    static void execute(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Runs {@code sql} the way a superuser gets past the records' immutability trigger (a replica
     * session fires no ordinary trigger), in a transaction of its own so the setting ends with it.
     * Tests use it to damage stored rows as only someone with the database's keys could.
     */
    static void executeBypassingTriggers(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                s.execute("SET LOCAL session_replication_role = replica");
                s.execute(sql);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Returns once a session of {@code dataSource}'s database waits for a lock (a row lock shows as
     * waiting for the holder's transaction id, which has no database in {@code pg_locks}), or once {@code thread} has ended.
     */
    static void awaitALockNotGranted(DataSource dataSource, Thread thread) throws InterruptedException {
        while (thread.isAlive()) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity "
                         + "WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            Thread.sleep(1);
        }
    }

    /** The store's roles as one object, for the contracts that drive a whole store. */
    static AuditStore bundle(PostgresStore store) {
        return AuditStore.of(store.records(), store.embeddingBacklog(), store.indexBacklog(), store.vectorLedger());
    }

    static synchronized EmbeddedPostgresServer server() {
        if (server == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("datastorage-pg-test");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = EmbeddedPostgresServer.start(dir, 0);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                deleteTree(dir);
            }));
        }
        return server;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind is not a test failure
        }
    }

    static HikariDataSource freshDatabase() {
        HikariDataSource ds = emptyDatabase();
        PostgresSchema.migrate(ds);
        return ds;
    }

    /** A new database without any schema. */
    static HikariDataSource emptyDatabase() {
        String name = "test_" + COUNTER.incrementAndGet();
        try (HikariDataSource admin = dataSource("postgres", 1);
             Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return dataSource(name, 32);
    }

    private static HikariDataSource dataSource(String database, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://localhost:" + server().port() + "/" + database);
        config.setUsername("postgres");
        config.setMaximumPoolSize(poolSize);
        return new HikariDataSource(config);
    }
}
