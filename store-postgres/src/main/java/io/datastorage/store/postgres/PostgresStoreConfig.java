package io.datastorage.store.postgres;

import io.datastorage.core.config.InvalidConfigException;

import java.time.Duration;

import static io.datastorage.core.config.ConfigChecks.range;

/**
 * How the PostgreSQL store reaches its database and watches it. Immutable; every value is checked
 * when the record is built, and a bad one is an
 * {@link InvalidConfigException} naming the setting (as below, in
 * kebab-case: {@code pool-size}), the value and what is allowed.
 *
 * @param url                     JDBC URL of an external PostgreSQL 15+
 *                                ({@code jdbc:postgresql://host:port/database}); {@code null} or
 *                                blank: the embedded server
 * @param user                    the database user
 * @param password                the user's password; {@code null} for none. Never printed
 * @param poolSize                most pooled connections, 1..500
 * @param connectionTimeout       longest wait for a pooled connection, 250ms..5m
 * @param requireDurable          refuse a server that can lose acknowledged commits ({@code fsync},
 *                                {@code synchronous_commit}, {@code full_page_writes}); the embedded
 *                                server is always durable
 * @param embeddedPort            port of the embedded server on 127.0.0.1, 0..65535 (0: any free port)
 * @param embeddedCheckInterval   how often the embedded server is checked for being alive, 100ms..1m
 * @param embeddedStartupTimeout  longest a start or restart of the embedded server may take, crash
 *                                recovery included, 1s..1h
 * @param embeddedRestartAttempts failed restarts of a dead embedded server after which it counts as
 *                                lost, 1..100
 */
public record PostgresStoreConfig(String url,
                                  String user,
                                  String password,
                                  int poolSize,
                                  Duration connectionTimeout,
                                  boolean requireDurable,
                                  int embeddedPort,
                                  Duration embeddedCheckInterval,
                                  Duration embeddedStartupTimeout,
                                  int embeddedRestartAttempts) {

    public PostgresStoreConfig {
        if (url != null && !url.isBlank() && !url.startsWith("jdbc:postgresql://")) {
            throw new InvalidConfigException("url", "must be a PostgreSQL JDBC URL "
                    + "(jdbc:postgresql://host:port/database) or empty for the embedded database", "'" + url + "'");
        }
        range("pool-size", poolSize, 1, 500);
        range("connection-timeout", connectionTimeout, Duration.ofMillis(250), Duration.ofMinutes(5));
        range("embedded-port", embeddedPort, 0, 65535);
        range("embedded-check-interval", embeddedCheckInterval, Duration.ofMillis(100), Duration.ofMinutes(1));
        range("embedded-startup-timeout", embeddedStartupTimeout, Duration.ofSeconds(1), Duration.ofHours(1));
        range("embedded-restart-attempts", embeddedRestartAttempts, 1, 100);
    }

    /** No URL: this process starts its own PostgreSQL. */
    public boolean embedded() {
        return url == null || url.isBlank();
    }

    @Override
    public String toString() {
        return "PostgresStoreConfig[url=" + url + ", user=" + user + ", password="
                + (password == null ? "<none>" : "<redacted>") + ", poolSize=" + poolSize + ", requireDurable="
                + requireDurable + "]";
    }
}
