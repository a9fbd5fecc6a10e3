package io.datastorage.server.retention;

import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.JobLeases;
import io.datastorage.core.job.LeaseHolder;
import io.datastorage.core.retention.RetentionJob;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.store.postgres.PostgresStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * Retention and legal holds: the job over PostgreSQL and the vector index (none without one), under
 * the lease {@code retention} in the service's job leases.
 */
@Configuration(proxyBeanMethods = false)
public class RetentionConfiguration {

    @Bean
    RetentionService retentionService(PostgresStore store, ObjectProvider<VectorIndex> index,
                                      RetentionProperties retention, DatastorageProperties properties,
                                      JobLeases leases, Clock clock, MeterRegistry registry) {
        VectorIndex vectors = index.getIfAvailable();
        JobLease lease = new JobLease(leases, "retention", LeaseHolder.thisProcess(), properties.jobs().leaseDuration());
        return new RetentionService(listener -> new RetentionJob(store.retention(), vectors, retention.policy(), clock,
                listener), store.legalHolds(), lease, clock, registry);
    }
}
