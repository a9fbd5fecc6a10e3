package io.datastorage.server;

import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code DATASTORAGE_DB_URL} the service uses that server and starts no database of its own;
 * settings come from environment variables named as documented.
 */
class ExternalDatabaseTest {

    @Test
    void usesTheServerNamedByEnvironmentVariables() throws Exception {
        Path dataDir = RunningService.newDataDir();
        try (EmbeddedPostgresServer external = EmbeddedPostgresServer.start(RunningService.newDataDir(), 0)) {
            StandardEnvironment environment = new StandardEnvironment();
            environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(
                            "DATASTORAGE_DB_URL", "jdbc:postgresql://127.0.0.1:" + external.port() + "/postgres",
                            "DATASTORAGE_DB_USER", "postgres",
                            "DATASTORAGE_DB_POOL_SIZE", "3",
                            "DATASTORAGE_DATA_DIR", dataDir.toString(),
                            "SERVER_PORT", "0",
                            "MANAGEMENT_SERVER_PORT", "0")));

            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DatastorageApplication.class)
                    .environment(environment).run()) {
                DatastorageProperties properties = context.getBean(DatastorageProperties.class);
                assertThat(properties.db().poolSize()).isEqualTo(3);
                assertThat(properties.dataDir()).isEqualTo(dataDir);

                URI uri = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port")
                        + "/api/v1/audit/workflow");
                HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(RunningService.validRecord("workflow", "external")))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).isEqualTo(201);
            }

            JdbcTemplate direct = new JdbcTemplate(new DriverManagerDataSource(external.jdbcUrl()));
            assertThat(direct.queryForObject("SELECT count(*) FROM audit_records WHERE name = 'external'", Long.class)).isEqualTo(1);
            assertThat(dataDir.resolve("postgres")).doesNotExist();
        }
    }
}
