package io.datastorage.legacy.postgres;

import io.datastorage.core.config.InvalidConfigException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach the legacy table: a JDBC URL, a user, a password and the mapping file that
 * describes the table ({@link LegacyTableMapping}). Immutable; checked when built, the mapping file
 * included, so a bad value fails at start-up with an {@link InvalidConfigException} naming the
 * property (below, as the operator sets it), the value and what is allowed. Whether the table and
 * its columns exist is checked when the store opens ({@link PostgresLegacyStore#open}).
 *
 * @param url         {@value #URL_PROPERTY}: {@code jdbc:postgresql://host:port/database}
 * @param user        {@value #USER_PROPERTY}
 * @param password    {@value #PASSWORD_PROPERTY}, {@code null} for none; never printed
 * @param mappingFile {@value #MAPPING_FILE_PROPERTY}: the mapping, a properties file
 * @param poolSize    {@value #POOL_SIZE_PROPERTY}: at most this many connections to the legacy
 *                    database, 1..{@value #MAX_POOL_SIZE} (default {@value #DEFAULT_POOL_SIZE})
 * @param connectionTimeout {@value #CONNECTION_TIMEOUT_PROPERTY}: how long a call waits for a
 *                    connection (a new one while the database is down, or a free one of the pool)
 *                    before it fails as unavailable; at least 250 ms (default 5 s)
 * @param socketTimeout {@value #SOCKET_TIMEOUT_PROPERTY}: how long a call waits for the database's
 *                    answer on an open connection (a host gone without closing it) before it fails
 *                    as unavailable; whole seconds, at least 1 s (default 30 s)
 */
public record LegacyPostgresConfig(String url, String user, String password, Path mappingFile, int poolSize,
                                   Duration connectionTimeout, Duration socketTimeout) {
    public static final String URL_PROPERTY = "datastorage.migration.legacy.db-url";
    public static final String USER_PROPERTY = "datastorage.migration.legacy.db-user";
    public static final String PASSWORD_PROPERTY = "datastorage.migration.legacy.db-password";
    public static final String MAPPING_FILE_PROPERTY = "datastorage.migration.legacy.mapping-file";
    public static final String POOL_SIZE_PROPERTY = "datastorage.migration.legacy.db-pool-size";
    public static final String CONNECTION_TIMEOUT_PROPERTY = "datastorage.migration.legacy.db-connection-timeout";
    public static final String SOCKET_TIMEOUT_PROPERTY = "datastorage.migration.legacy.db-socket-timeout";
    public static final int DEFAULT_POOL_SIZE = 4;
    public static final int MAX_POOL_SIZE = 100;
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250); // HikariCP's lower bound

    /** The defaults for the pool: {@value #DEFAULT_POOL_SIZE} connections, 5 s to connect, 30 s to answer. */
    public LegacyPostgresConfig(String url, String user, String password, Path mappingFile) {
        this(url, user, password, mappingFile, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT, DEFAULT_SOCKET_TIMEOUT);
    }

    public LegacyPostgresConfig {
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new InvalidConfigException(POOL_SIZE_PROPERTY, "must be 1.." + MAX_POOL_SIZE, String.valueOf(poolSize));
        }
        if (connectionTimeout == null || connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new InvalidConfigException(CONNECTION_TIMEOUT_PROPERTY, "must be at least 250ms",
                    String.valueOf(connectionTimeout));
        }
        if (socketTimeout == null || socketTimeout.compareTo(Duration.ofSeconds(1)) < 0
                || socketTimeout.toNanosPart() != 0 || socketTimeout.getSeconds() > Integer.MAX_VALUE) {
            throw new InvalidConfigException(SOCKET_TIMEOUT_PROPERTY, "must be whole seconds, at least 1s",
                    String.valueOf(socketTimeout));
        }
        if (url == null || url.isBlank()) {
            throw new InvalidConfigException(URL_PROPERTY, "must be set", "empty");
        }
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new InvalidConfigException(URL_PROPERTY, "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)",
                    "'" + url + "'");
        }
        if (user == null || user.isBlank()) {
            throw new InvalidConfigException(USER_PROPERTY, "must be set", "empty");
        }
        if (mappingFile == null || mappingFile.toString().isBlank()) {
            throw new InvalidConfigException(MAPPING_FILE_PROPERTY, "must be set", "empty");
        }
        if (!Files.isRegularFile(mappingFile) || !Files.isReadable(mappingFile)) {
            throw new InvalidConfigException(MAPPING_FILE_PROPERTY, "must be a readable file", "'" + mappingFile + "'");
        }
        LegacyTableMapping.load(mappingFile); // a bad key fails now, naming it
    }

    /** The mapping file's content. */
    public LegacyTableMapping mapping() {
        return LegacyTableMapping.load(mappingFile);
    }

    /** Opens the store: a connection pool of {@link #poolSize()}, the table checked against the mapping. */
    public PostgresLegacyStore open() {
        return PostgresLegacyStore.open(this);
    }

    @Override
    public String toString() {
        return "LegacyPostgresConfig[url=" + url + ", user=" + user + ", password="
                + (password == null ? "<none>" : "<redacted>") + ", mappingFile=" + mappingFile + ", poolSize=" + poolSize
                + ", connectionTimeout=" + connectionTimeout + ", socketTimeout=" + socketTimeout + "]";
    }
}
