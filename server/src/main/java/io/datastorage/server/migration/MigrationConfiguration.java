package io.datastorage.server.migration;

import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.core.migration.RecordSink;
import io.datastorage.core.migration.RecordSource;
import io.datastorage.core.migration.SecondaryWriteJob;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.store.RecordStore;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.job.LeasedJobs;
import io.datastorage.store.postgres.PostgresStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The migration from a legacy store, when {@code datastorage.migration.legacy.type} names one
 * ({@link MigrationConfigured}); with {@code none} (the default) none of these beans exists and the
 * service runs as without a migration. Here: the legacy store of the configured type, the phase
 * store (initialised from {@code datastorage.migration.phase} when none is stored), this replica's
 * {@link PhaseWatcher} (refreshed every second), the secondary-write queue and its job (every
 * second, under the {@code secondary-writes} lease), the metrics and the admin API's service.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(MigrationConfigured.class)
public class MigrationConfiguration {
    private static final Logger log = LoggerFactory.getLogger(MigrationConfiguration.class);
    /** Who the history names for the phase stored at the first start. */
    static final String CONFIGURATION = "configuration";

    @Bean(destroyMethod = "close")
    LegacyStore legacyStore(DatastorageProperties properties) {
        DatastorageProperties.Legacy settings = properties.migration().legacy();
        LegacyStore store = switch (settings.type()) {
            case JSON_FILES -> settings.json().open();
            case POSTGRES -> settings.postgres().open();
            case NONE -> throw new IllegalStateException("no legacy store is configured"); // the condition rules it out
        };
        log.info("Migration: legacy store {}", store);
        return store;
    }

    @Bean
    PhaseStore phaseStore(PostgresStore store) {
        return store.phaseStore();
    }

    @Bean
    SecondaryWriteQueue secondaryWriteQueue(PostgresStore store) {
        return store.secondaryWrites();
    }

    /** Runs the phase refreshes; one thread, a daemon (it never keeps the JVM alive). */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService migrationScheduler() {
        return Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("migration-phase").daemon().factory());
    }

    /**
     * This replica's view of the phase, started before any request is served: the phase is stored
     * from {@code datastorage.migration.phase} (default {@code LEGACY_ONLY}) when none is stored yet;
     * a stored phase always wins over the setting.
     */
    @Bean(destroyMethod = "close")
    PhaseWatcher phaseWatcher(PhaseStore phases, ScheduledExecutorService migrationScheduler,
                              DatastorageProperties properties, Clock clock) {
        DatastorageProperties.Migration settings = properties.migration();
        PhaseState stored = phases.initialiseIfAbsent(settings.initialPhase(), CONFIGURATION,
                "datastorage.migration.phase at the first start with a legacy store");
        if (settings.phase() != null && settings.phase() != stored.phase()) {
            log.warn("Migration: datastorage.migration.phase is {}, but phase {} (version {}) is stored and counts; "
                    + "change it through the admin API", settings.phase(), stored.phase(), stored.version());
        }
        PhaseWatcher watcher = new PhaseWatcher(phases, migrationScheduler, PhaseWatcher.MAX_INTERVAL, clock);
        PhaseState current = watcher.start();
        log.info("Migration phase {} (version {})", current.phase(), current.version());
        return watcher;
    }

    @Bean
    MigrationMetrics migrationMetrics(MeterRegistry registry, PhaseWatcher phaseWatcher, SecondaryWriteQueue queue,
                                      Clock clock) {
        return new MigrationMetrics(registry, phaseWatcher, queue, clock);
    }

    @Bean
    SecondaryWriteWorker secondaryWriteWorker(SecondaryWriteQueue queue, LegacyStore legacy, RecordStore records,
                                              Clock clock, LeasedJobs leased) {
        SecondaryWriteJob job = new SecondaryWriteJob(queue,
                Map.of(MigrationSide.LEGACY, RecordSource.of(legacy), MigrationSide.NEW, newSource(records)),
                Map.of(MigrationSide.LEGACY, RecordSink.of(legacy), MigrationSide.NEW, newSink()),
                clock, SecondaryWriteJob.Settings.defaults());
        return new SecondaryWriteWorker(leased.leased(job));
    }

    @Bean
    MigrationAdmin migrationAdmin(PhaseStore phases, PhaseWatcher watcher, LegacyStore legacy, RecordStore records,
                                  MigrationMetrics metrics, DatastorageProperties properties) {
        return new MigrationAdmin(phases, watcher, legacy, records, metrics, properties.migration());
    }

    private static RecordSource newSource(RecordStore records) {
        return (kind, id) -> records.find(kind, id).map(r -> new LegacyRecord(r.id(), r.kind(), r.receivedAt(),
                r.document(), r.legacyId()));
    }

    private static RecordSink newSink() {
        return record -> {
            throw new IllegalStateException("writes to the new side are not wired yet (the migration router)");
        };
    }
}
