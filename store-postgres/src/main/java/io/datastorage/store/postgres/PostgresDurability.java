package io.datastorage.store.postgres;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a PostgreSQL server keeps what it acknowledges: the settings that decide it, read from a
 * connection of the pool the service writes through (so a value set per role or per database
 * counts, as it does for our commits).
 *
 * <p>Durable means (PostgreSQL documentation, "Reliability and the Write-Ahead Log"):
 * <ul>
 *   <li>{@code fsync = on}: without it an operating-system crash or power loss can lose committed
 *       transactions and corrupt the cluster;</li>
 *   <li>{@code synchronous_commit} one of {@code on}, {@code remote_write}, {@code remote_apply}:
 *       {@code off} answers a commit before its WAL is flushed (a killed server loses it), and
 *       {@code local} does not wait for the synchronous standbys a failover would promote;</li>
 *   <li>{@code full_page_writes = on}: without it a page torn by a crash mid-write cannot be
 *       repaired by recovery.</li>
 * </ul>
 */
public final class PostgresDurability {
    /** Values of {@code synchronous_commit} under which a commit is durable when it returns. */
    public static final Set<String> DURABLE_SYNCHRONOUS_COMMIT = Set.of("on", "remote_write", "remote_apply");

    private PostgresDurability() {
    }

    /** One setting that makes the server lose acknowledged commits, with the value it needs. */
    public record Violation(String setting, String value, String required) {
        @Override
        public String toString() {
            return setting + "=" + value + " (durable: " + required + ")";
        }
    }

    /** What the server reported; durable when {@link #violations()} is empty. */
    public record Report(String fsync, String synchronousCommit, String fullPageWrites) {
        public List<Violation> violations() {
            List<Violation> violations = new ArrayList<>();
            if (!"on".equals(fsync)) {
                violations.add(new Violation("fsync", fsync, "on"));
            }
            if (!DURABLE_SYNCHRONOUS_COMMIT.contains(synchronousCommit)) {
                violations.add(new Violation("synchronous_commit", synchronousCommit,
                        DURABLE_SYNCHRONOUS_COMMIT.stream().sorted().collect(Collectors.joining(", "))));
            }
            if (!"on".equals(fullPageWrites)) {
                violations.add(new Violation("full_page_writes", fullPageWrites, "on"));
            }
            return List.copyOf(violations);
        }

        public boolean durable() {
            return violations().isEmpty();
        }
    }

    /**
     * Reads the settings through one connection of {@code dataSource}.
     *
     * @throws IllegalStateException when the server cannot be reached
     */
    public static Report check(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement()) {
            return new Report(show(statement, "fsync"), show(statement, "synchronous_commit"),
                    show(statement, "full_page_writes"));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the durability settings of PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1).toLowerCase(Locale.ROOT);
        }
    }
}
