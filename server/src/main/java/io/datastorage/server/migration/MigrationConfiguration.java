package io.datastorage.server.migration;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.MigrationReads;
import io.datastorage.core.migration.MigrationRouter;
import io.datastorage.core.migration.MigrationSettings;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.NewSideRecords;
import io.datastorage.core.migration.PhaseFence;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.core.migration.RecordSink;
import io.datastorage.core.migration.RecordSource;
import io.datastorage.core.migration.SecondaryWriteJob;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.datastorage.core.migration.SyncValidator;
import io.datastorage.core.store.RecordStore;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.job.LeasedJobs;
import io.datastorage.server.metrics.UnreadableRecordsMetric;
import io.datastorage.store.postgres.PostgresStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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

    /** The configured legacy store; each record it cannot read is logged and counted ({@link CountedLegacyStore}). */
    @Bean(destroyMethod = "close")
    LegacyStore legacyStore(DatastorageProperties properties, UnreadableRecordsMetric unreadableRecords) {
        DatastorageProperties.Legacy settings = properties.migration().legacy();
        LegacyStore store = switch (settings.type()) {
            case JSON_FILES -> settings.json().open();
            case POSTGRES -> settings.postgres().open();
            case NONE -> throw new IllegalStateException("no legacy store is configured"); // the condition rules it out
        };
        log.info("Migration: legacy store {}", store);
        return new CountedLegacyStore(store, unreadableRecords);
    }

    @Bean
    PhaseStore phaseStore(PostgresStore store) {
        return store.phaseStore();
    }

    /** The last finished backfills and validation, which every replica's promotion gates read. */
    @Bean
    MigrationRuns migrationRuns(PostgresStore store) {
        return store.migrationRuns();
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
        if (settings.phase() != null && settings.initialPhase() != stored.phase()) {
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

    /**
     * The queue's job: each side read as the source of an entry that targets the other, and written
     * as its sink (the new side validates each document, then stores it with its id and legacy id,
     * its embedding and vector left to the repair jobs).
     */
    @Bean
    SecondaryWriteWorker secondaryWriteWorker(SecondaryWriteQueue queue, LegacyStore legacy, RecordStore records,
                                              AuditValidator validator, LeasedJobs leased) {
        SecondaryWriteJob job = new SecondaryWriteJob(queue,
                Map.of(MigrationSide.LEGACY, RecordSource.of(legacy), MigrationSide.NEW, NewSideRecords.source(records)),
                Map.of(MigrationSide.LEGACY, RecordSink.of(legacy), MigrationSide.NEW, NewSideRecords.sink(records, validator)),
                SecondaryWriteJob.Settings.defaults());
        return new SecondaryWriteWorker(leased.leased(job));
    }

    /**
     * Runs the shadow reads off the request path: two threads and 256 waiting at most; a read it
     * cannot take is dropped ({@link MigrationReads}), never run on the request's thread.
     */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService migrationShadowReads() {
        return new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256),
                Thread.ofPlatform().name("migration-shadow-", 0).daemon().factory(), new ThreadPoolExecutor.AbortPolicy());
    }

    /** PostgreSQL's phase fence: a legacy-primary write commits inside it, never under a version no longer current. */
    @Bean
    PhaseFence phaseFence(PostgresStore store) {
        return store.phaseFence();
    }

    /** Reads and writes by phase: the router and the reads over the same watcher, settings and metrics. */
    @Bean
    MigrationRouting migrationRouting(PhaseWatcher phaseWatcher, DualWriteCoordinator coordinator, RecordStore records,
                                      LegacyStore legacy, PhaseFence phaseFence, SecondaryWriteQueue queue,
                                      MigrationMetrics metrics, ExecutorService migrationShadowReads,
                                      DatastorageProperties properties, PhaseStore phases, MigrationRuns runs) {
        MigrationSettings settings = properties.migration().settings();
        // Search asks on every request whether a write to the new side waits: one answer serves for as
        // long as the queue gauges' backlog does; a queue that cannot be read counts as owing one (search
        // never says "complete" too early).
        LoadingCache<Boolean, Boolean> owedToNew = Caffeine.newBuilder().expireAfterWrite(MigrationMetrics.BACKLOG_TTL)
                .build(key -> {
                    try {
                        return queue.holdsAny(MigrationSide.NEW);
                    } catch (RuntimeException e) {
                        return true;
                    }
                });
        MigrationReads reads = new MigrationReads(phaseWatcher, records, legacy, settings, metrics, migrationShadowReads,
                () -> owedToNew.get(true), new NewSideHistory(phaseWatcher, phases, runs), queue::holds);
        return new MigrationRouting(new MigrationRouter(phaseWatcher, coordinator, records, legacy, phaseFence, queue,
                settings, metrics), reads);
    }

    /**
     * The sync validation: the two stores compared window by window, repairs put from the phase's
     * primary (onto the new side as the queue job puts, validated, embedding pending); a record
     * missing on a side the queue holds a write of for it, or that reaches it within the secondary
     * timeout and a second, is a write in flight, not a difference.
     */
    @Bean(destroyMethod = "close")
    MigrationValidation migrationValidation(LegacyStore legacy, RecordStore records, AuditValidator validator,
                                            SecondaryWriteQueue queue, PhaseWatcher phaseWatcher, MigrationRuns runs,
                                            LeasedJobs leased, DatastorageProperties properties, MeterRegistry registry,
                                            Clock clock) {
        DatastorageProperties.Migration settings = properties.migration();
        // To the microsecond, as PostgreSQL keeps the last run: the answer of a run and the last run
        // that every replica reads then show the same instants.
        Clock micros = Clock.tick(clock, ChronoUnit.MICROS.getDuration());
        SyncValidator syncValidator = new SyncValidator(legacy, records, NewSideRecords.sink(records, validator),
                SyncValidator.Settings.DEFAULT, micros,
                new SyncValidator.InFlight(queue::holds, settings.secondaryTimeout().plusSeconds(1)));
        return new MigrationValidation(syncValidator, phaseWatcher, runs, leased, settings.validateInterval(), registry,
                micros);
    }

    @Bean
    MigrationAdmin migrationAdmin(PhaseStore phases, PhaseWatcher watcher, LegacyStore legacy,
                                  MigrationRouting migrationRouting, MigrationMetrics metrics,
                                  DatastorageProperties properties, MigrationRuns migrationRuns,
                                  SecondaryWriteQueue queue) {
        return new MigrationAdmin(phases, watcher, legacy, migrationRouting.reads(), metrics,
                properties.migration(), migrationRuns, queue);
    }
}
