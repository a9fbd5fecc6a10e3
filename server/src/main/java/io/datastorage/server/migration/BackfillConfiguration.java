package io.datastorage.server.migration;

import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.migration.Backfill;
import io.datastorage.core.migration.BackfillSide;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.NewBackfillSide;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.core.store.RecordStore;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.job.LeasedJobs;
import io.datastorage.store.postgres.PostgresStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * The migration's backfill, when a legacy store is configured ({@link MigrationConfigured}): the
 * engine over the legacy store and the new store (written through the service's embedding pipeline
 * and dual-write coordinator), its checkpoints in PostgreSQL, at most
 * {@code datastorage.migration.backfill-rate} records read per second, under the
 * {@code migration-backfill} lease.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(MigrationConfigured.class)
public class BackfillConfiguration {

    @Bean(destroyMethod = "close")
    BackfillService backfillService(LegacyStore legacy, RecordStore records, AuditValidator validator,
                                    RecordEmbedder embedder, DualWriteCoordinator coordinator, PostgresStore store,
                                    PhaseWatcher phaseWatcher, MigrationRuns runs, MeterRegistry registry,
                                    LeasedJobs leased, Clock clock, DatastorageProperties properties) {
        return new BackfillService(listener -> new Backfill(BackfillSide.of(legacy),
                new NewBackfillSide(records, validator, embedder, coordinator, clock), store.backfillCheckpoints(),
                () -> phaseWatcher.current().version(), properties.migration().backfillRate(), clock, listener),
                runs, registry, leased);
    }
}
