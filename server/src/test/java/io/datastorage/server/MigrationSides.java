package io.datastorage.server;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What each store of a migration holds, read straight from the store (not through the service):
 * the records of a JSON-files legacy directory and of the service's PostgreSQL, each as id → the
 * document's {@code name}. The fault tests compare these with what was acknowledged.
 */
final class MigrationSides {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MigrationSides() {
    }

    /** Every record file under a JSON-files legacy directory (temporary files, named with a leading dot, skipped). */
    static Map<UUID, String> legacyFiles(Path directory) {
        Map<UUID, String> held = new HashMap<>();
        try (Stream<Path> files = Files.walk(directory)) {
            files.filter(f -> f.getFileName().toString().endsWith(".json") && !f.getFileName().toString().startsWith("."))
                    .forEach(file -> {
                        JsonNode record = JSON.readTree(file.toFile());
                        held.put(UUID.fromString(record.path("id").asString()),
                                record.path("document").path("name").asString());
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return held;
    }

    /** Every row of {@code audit_records} in the PostgreSQL at the JDBC URL. */
    static Map<UUID, String> newSide(String jdbcUrl, String user) {
        Map<UUID, String> held = new HashMap<>();
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, null);
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, name FROM audit_records")) {
            while (rs.next()) {
                held.put(rs.getObject(1, UUID.class), rs.getString(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return held;
    }

    /**
     * The ids held by more than one row of {@code audit_records} in the PostgreSQL at the JDBC URL
     * (its primary key is the id with the partition's {@code created_at}, so a second copy under
     * another time would not be refused): none, after any fault.
     */
    static Map<UUID, Integer> duplicatedRows(String jdbcUrl, String user) {
        Map<UUID, Integer> duplicated = new HashMap<>();
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, null);
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, count(*) FROM audit_records GROUP BY id HAVING count(*) > 1")) {
            while (rs.next()) {
                duplicated.put(rs.getObject(1, UUID.class), rs.getInt(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return duplicated;
    }

    /** As {@link #duplicatedRows(String, String)}, for an in-process service. */
    static Map<UUID, Integer> duplicatedRows(RunningService service) {
        com.zaxxer.hikari.HikariDataSource dataSource = service.context().getBean(com.zaxxer.hikari.HikariDataSource.class);
        return duplicatedRows(dataSource.getJdbcUrl(), dataSource.getUsername());
    }

    /** The record files per id under a JSON-files legacy directory: one each, after any fault. */
    static Map<UUID, Integer> legacyFileCopies(Path directory) {
        Map<UUID, Integer> copies = new HashMap<>();
        try (Stream<Path> files = Files.walk(directory)) {
            files.filter(f -> f.getFileName().toString().endsWith(".json") && !f.getFileName().toString().startsWith("."))
                    .forEach(file -> copies.merge(UUID.fromString(JSON.readTree(file.toFile()).path("id").asString()),
                            1, Integer::sum));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return copies;
    }

    /**
     * The secondary-write queue's depth, counted in its table: the status and the gauge show a
     * reading cached for a few seconds, which may predate the writes a test waits for.
     */
    static long queueDepth(String jdbcUrl, String user) {
        try (Connection db = DriverManager.getConnection(jdbcUrl, user, null);
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM secondary_writes")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #queueDepth(String, String)}, for an in-process service. */
    static long queueDepth(RunningService service) {
        com.zaxxer.hikari.HikariDataSource dataSource = service.context().getBean(com.zaxxer.hikari.HikariDataSource.class);
        return queueDepth(dataSource.getJdbcUrl(), dataSource.getUsername());
    }

    /** As {@link #newSide(String, String)}, for an in-process service. */
    static Map<UUID, String> newSide(RunningService service) {
        com.zaxxer.hikari.HikariDataSource dataSource = service.context().getBean(com.zaxxer.hikari.HikariDataSource.class);
        return newSide(dataSource.getJdbcUrl(), dataSource.getUsername());
    }
}
