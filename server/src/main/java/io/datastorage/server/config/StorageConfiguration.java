package io.datastorage.server.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.store.EmbeddingBacklog;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.VectorLedger;
import io.datastorage.store.postgres.PostgresDurability;
import io.datastorage.store.postgres.PostgresMaintenance;
import io.datastorage.store.postgres.PostgresStore;
import io.datastorage.store.postgres.PostgresStoreConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.datastorage.store.postgres.PostgresSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

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
        DatabaseServer server = DatabaseServer.of(properties.postgres(), properties.dataDir());
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
        PostgresStoreConfig settings = properties.postgres();
        config.setMaximumPoolSize(settings.poolSize());
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        // Multi-row batches become one INSERT statement on the wire.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    /**
     * What the server reports about durability, checked before anything is written: a server that
     * can lose acknowledged commits stops start-up unless {@code datastorage.db.require-durable=false}
     * says to go on (then a warning at every start and {@code datastorage_db_durable} at 0).
     */
    @Bean
    PostgresDurability.Report databaseDurability(HikariDataSource dataSource, DatabaseServer server,
                                                DatastorageProperties properties, MeterRegistry registry) {
        PostgresDurability.Report report = PostgresDurability.check(dataSource);
        List<PostgresDurability.Violation> violations = report.violations();
        Gauge.builder("datastorage.db.durable", () -> violations.isEmpty() ? 1 : 0)
                .description("1 when PostgreSQL keeps every acknowledged commit (fsync, synchronous_commit, "
                        + "full_page_writes), 0 when the service runs on a server that may lose them")
                .register(registry);
        if (violations.isEmpty()) {
            log.info("PostgreSQL is durable: fsync={}, synchronous_commit={}, full_page_writes={}",
                    report.fsync(), report.synchronousCommit(), report.fullPageWrites());
            return report;
        }
        String what = server + " runs with " + violations.stream().map(Object::toString).collect(Collectors.joining(", "))
                + ": a crash of the database or the machine can lose records that were answered 201";
        if (server.isEmbedded()) {
            // The embedded server is started with EmbeddedPostgresServer.DURABLE_SETTINGS: a defect, never a choice.
            throw new IllegalStateException(what + ", although it was started with durable settings; "
                    + "refusing to serve (check the PostgreSQL binaries and the data directory's postgresql.auto.conf)");
        }
        if (properties.postgres().requireDurable()) {
            throw new IllegalStateException("datastorage.db.require-durable: " + what + ". Change the server's "
                    + "setting(s), or set datastorage.db.require-durable=false (DATASTORAGE_DB_REQUIRE_DURABLE=false) "
                    + "to start anyway");
        }
        log.warn("{}. Starting anyway because datastorage.db.require-durable=false", what);
        return report;
    }

    @Bean
    PostgresStore postgresStore(HikariDataSource dataSource, Clock clock, DatastorageProperties properties,
                                PostgresDurability.Report databaseDurability) {
        int applied = PostgresSchema.migrate(dataSource);
        log.info("Schema up to date ({} migration(s) applied)", applied);
        return PostgresStore.open(dataSource, clock, properties.maintenance().monthsAhead());
    }

    // The store by role: each user asks for the role it needs.

    @Bean
    RecordStore recordStore(PostgresStore store) {
        return store.records();
    }

    @Bean
    EmbeddingBacklog embeddingBacklog(PostgresStore store) {
        return store.embeddingBacklog();
    }

    @Bean
    IndexBacklog indexBacklog(PostgresStore store) {
        return store.indexBacklog();
    }

    @Bean
    VectorLedger vectorLedger(PostgresStore store) {
        return store.vectorLedger();
    }

    @Bean
    SearchStore searchStore(PostgresStore store) {
        return store.searchStore();
    }

    @Bean
    PostgresMaintenance postgresMaintenance(PostgresStore store) {
        return store.maintenance();
    }

    /** Restarts the embedded PostgreSQL when it dies; nothing to watch with an external server. */
    @Bean(destroyMethod = "close")
    EmbeddedDatabaseRecovery embeddedDatabaseRecovery(DatabaseServer server, HikariDataSource dataSource,
                                                      DatastorageProperties properties, MeterRegistry registry,
                                                      ApplicationEventPublisher events) {
        EmbeddedDatabaseRecovery recovery = new EmbeddedDatabaseRecovery(events, dataSource, registry);
        if (server.isEmbedded()) {
            recovery.watch(server, properties.postgres());
        }
        return recovery;
    }

    @Bean
    AuditValidator auditValidator(DatastorageProperties properties, Clock clock) {
        return new AuditValidator(new ValidationPolicy(properties.validation().maxFutureSkew(),
                properties.limits().maxBatchRecords()), clock);
    }
}
