package io.datastorage.store.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedPostgresServerTest {

    @Test
    void keepsDataAcrossAStopAndStart(@TempDir Path dir) throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0)) {
            execute(server, "CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('still here')");
        }
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0)) {
            assertThat(queryOne(server, "SELECT v FROM kept")).isEqualTo("still here");
        }
    }

    /**
     * Regression: a JVM killed with SIGKILL leaves its PostgreSQL running on the data directory;
     * the next start used to fail with "another server might be running".
     */
    @Test
    void startsAfterTheProcessThatRanTheServerWasKilled(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ServerThatGetsKilled.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try {
            awaitCommitted(child);
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0)) {
            assertThat(queryOne(server, "SELECT v FROM before_kill")).isEqualTo("committed");
        }
    }

    private static void awaitCommitted(Process child) throws Exception {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.equals("COMMITTED"));
            assertThat(line).as("child started the server and committed a row").isEqualTo("COMMITTED");
        }
    }

    /** Run in a child JVM: starts a server, commits a row, says so, then waits to be killed. */
    public static final class ServerThatGetsKilled {
        public static void main(String[] args) throws Exception {
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), 0);
            execute(server, "CREATE TABLE before_kill (v text)", "INSERT INTO before_kill VALUES ('committed')");
            System.out.println("COMMITTED");
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }

    static void execute(EmbeddedPostgresServer server, String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    static String queryOne(EmbeddedPostgresServer server, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
