package io.datastorage.server.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.store.postgres.PostgresAuditStore;
import io.datastorage.store.postgres.PostgresSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Clock;

/** Maps {@link DatastorageProperties} onto the database, the store and the validator. */
@Configuration(proxyBeanMethods = false)
public class StorageConfiguration {
    private static final Logger log = LoggerFactory.getLogger(StorageConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    DatabaseServer databaseServer(DatastorageProperties properties) {
        DatabaseServer server = DatabaseServer.of(properties);
        log.info("Using {}", server);
        return server;
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(DatabaseServer server, DatastorageProperties properties) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("datastorage");
        config.setJdbcUrl(server.jdbcUrl());
        config.setUsername(server.user());
        config.setPassword(server.password());
        config.setMaximumPoolSize(properties.db().poolSize());
        config.setConnectionTimeout(properties.db().connectionTimeout().toMillis());
        // Multi-row batches become one INSERT statement on the wire.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    @Bean
    PostgresAuditStore auditStore(HikariDataSource dataSource, Clock clock, DatastorageProperties properties) {
        int applied = PostgresSchema.migrate(dataSource);
        log.info("Schema up to date ({} migration(s) applied)", applied);
        return PostgresAuditStore.open(dataSource, clock, properties.partitions().monthsAhead());
    }

    @Bean
    AuditValidator auditValidator(DatastorageProperties properties, Clock clock) {
        return new AuditValidator(new ValidationPolicy(properties.validation().maxFutureSkew(),
                properties.limits().maxBatchRecords()), clock);
    }

    @Bean
    StoreMaintenance storeMaintenance(PostgresAuditStore store, DatastorageProperties properties) {
        return new StoreMaintenance(store, properties);
    }

    /** Keeps partitions ahead of time and forgets expired idempotency keys. */
    static final class StoreMaintenance {
        private final PostgresAuditStore store;
        private final DatastorageProperties properties;

        StoreMaintenance(PostgresAuditStore store, DatastorageProperties properties) {
            this.store = store;
            this.properties = properties;
        }

        @Scheduled(initialDelayString = "${datastorage.partitions.maintenance-interval:1h}",
                fixedDelayString = "${datastorage.partitions.maintenance-interval:1h}")
        void run() {
            try {
                store.ensurePartitionsAhead(properties.partitions().monthsAhead());
                int purged = store.purgeIdempotencyKeys(properties.idempotency().retention());
                log.info("Store maintenance done: partitions ensured {} month(s) ahead, {} idempotency key(s) purged",
                        properties.partitions().monthsAhead(), purged);
            } catch (RuntimeException e) {
                log.warn("Store maintenance failed; it runs again in {}", properties.partitions().maintenanceInterval(), e);
            }
        }
    }
}
