package io.datastorage.legacy.postgres;

import io.datastorage.core.config.InvalidConfigException;

import java.nio.file.Files;
import java.nio.file.Path;

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
 */
public record LegacyPostgresConfig(String url, String user, String password, Path mappingFile) {
    public static final String URL_PROPERTY = "datastorage.migration.legacy.db-url";
    public static final String USER_PROPERTY = "datastorage.migration.legacy.db-user";
    public static final String PASSWORD_PROPERTY = "datastorage.migration.legacy.db-password";
    public static final String MAPPING_FILE_PROPERTY = "datastorage.migration.legacy.mapping-file";

    public LegacyPostgresConfig {
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

    /** Opens the store: a small connection pool, the table checked against the mapping. */
    public PostgresLegacyStore open() {
        return PostgresLegacyStore.open(this);
    }

    @Override
    public String toString() {
        return "LegacyPostgresConfig[url=" + url + ", user=" + user + ", password="
                + (password == null ? "<none>" : "<redacted>") + ", mappingFile=" + mappingFile + "]";
    }
}
