package io.datastorage.server.job;

import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.job.InMemoryJobLeases;
import io.datastorage.core.job.JobLeases;
import io.datastorage.core.job.LeaseHolder;
import io.datastorage.server.config.DatabaseServer;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.store.postgres.IdempotencyPurgeJob;
import io.datastorage.store.postgres.PartitionMaintenanceJob;
import io.datastorage.store.postgres.PostgresMaintenance;
import io.datastorage.store.postgres.PostgresMaintenanceConfig;
import io.datastorage.store.postgres.PostgresStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.List;

/**
 * Where the background jobs' leases live. In the embedded shape (the embedded PostgreSQL and no
 * remote index) the service is one process by construction, so the leases are kept in memory and
 * are always free: the jobs run as they always did, and a restart after a crash does not wait for
 * the dead process's leases to lapse. Otherwise (an external PostgreSQL, or a remote index that
 * replicas share) they live in PostgreSQL's {@code job_leases}, shared by every replica.
 */
@Configuration(proxyBeanMethods = false)
public class JobsConfiguration {
    private static final Logger log = LoggerFactory.getLogger(JobsConfiguration.class);

    @Bean
    JobLeases jobLeases(DatabaseServer server, PostgresStore store, ObjectProvider<VectorIndex> index, Clock clock) {
        VectorIndex vectors = index.getIfAvailable();
        boolean remoteIndex = vectors != null && vectors.remote();
        if (server.isEmbedded() && !remoteIndex) {
            log.info("Background jobs run in this process alone (embedded PostgreSQL, no remote index)");
            return new InMemoryJobLeases(clock);
        }
        log.info("Background jobs run under leases in PostgreSQL, held as {}", LeaseHolder.thisProcess());
        return store.jobLeases();
    }

    @Bean(destroyMethod = "close")
    LeasedJobs leasedJobs(JobLeases leases, DatastorageProperties properties, MeterRegistry registry) {
        return new LeasedJobs(leases, LeaseHolder.thisProcess(), properties.jobs().leaseDuration(), registry);
    }

    /** Keeps partitions ahead of time and forgets expired idempotency keys. */
    @Bean
    StoreMaintenanceWorker storeMaintenance(PostgresMaintenance store, DatastorageProperties properties,
                                            LeasedJobs leased) {
        PostgresMaintenanceConfig settings = properties.maintenance();
        return new StoreMaintenanceWorker(List.of(leased.leased(new PartitionMaintenanceJob(store, settings)),
                leased.leased(new IdempotencyPurgeJob(store, settings))));
    }
}
