package io.datastorage.store.postgres;

import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresStoreConfigTest {

    private static PostgresStoreConfig config(String url, int poolSize, int restartAttempts) {
        return new PostgresStoreConfig(url, "postgres", "s3cret", poolSize, Duration.ofSeconds(5), true, 0,
                Duration.ofSeconds(1), Duration.ofSeconds(60), restartAttempts);
    }

    @Test
    void noUrlMeansTheEmbeddedServer() {
        assertThat(config(null, 20, 3).embedded()).isTrue();
        assertThat(config(" ", 20, 3).embedded()).isTrue();
        assertThat(config("jdbc:postgresql://db:5432/audit", 20, 3).embedded()).isFalse();
    }

    @Test
    void refusesAUrlThatIsNotPostgreSql() {
        assertThatThrownBy(() -> config("mysql://db/audit", 20, 3))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database) or empty for "
                        + "the embedded database, was 'mysql://db/audit'");
    }

    @Test
    void namesEachSettingOutOfRange() {
        assertThatThrownBy(() -> config(null, 501, 3)).hasMessage("pool-size must be 1..500, was 501");
        assertThatThrownBy(() -> config(null, 20, 0)).hasMessage("embedded-restart-attempts must be 1..100, was 0");
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(config("jdbc:postgresql://db:5432/audit", 20, 3).toString()).doesNotContain("s3cret");
    }

    @Test
    void maintenanceNamesItsSettingsUnderTheirGroups() {
        assertThatThrownBy(() -> new PostgresMaintenanceConfig(25, Duration.ofHours(1), Duration.ofHours(24)))
                .hasMessage("partitions.months-ahead must be 0..24, was 25");
        assertThatThrownBy(() -> new PostgresMaintenanceConfig(3, Duration.ofHours(1), Duration.ofSeconds(10)))
                .hasMessage("idempotency.retention must be 1m..30d, was 10s");
    }
}
