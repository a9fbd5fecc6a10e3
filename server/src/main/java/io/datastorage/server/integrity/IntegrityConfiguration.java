package io.datastorage.server.integrity;

import io.datastorage.core.config.ConfigChecks;
import io.datastorage.core.integrity.ChainHasher;
import io.datastorage.core.integrity.ChainVerifier;
import io.datastorage.server.job.LeasedJobs;
import io.datastorage.store.postgres.IntegritySealJob;
import io.datastorage.store.postgres.PostgresStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/**
 * The records' hash chains: the sealing job (leased, every {@code datastorage.integrity.seal-interval})
 * and the verification behind {@code /api/v1/admin/integrity/verify}.
 */
@Configuration(proxyBeanMethods = false)
public class IntegrityConfiguration {
    private static final Logger log = LoggerFactory.getLogger(IntegrityConfiguration.class);
    /** Records one read of a verification holds. */
    static final int VERIFY_PAGE = 1000;

    @Bean
    ChainHasher chainHasher(IntegrityProperties integrity) {
        ChainHasher hasher = integrity.hasher();
        log.info("Records are sealed into hash chains by {} {} after they are received", hasher.keyed()
                ? "HMAC-SHA256 (datastorage.integrity.hmac-key)" : "SHA-256", ConfigChecks.print(integrity.sealDelay()));
        return hasher;
    }

    @Bean
    IntegritySealWorker integritySealWorker(PostgresStore store, ChainHasher hasher, IntegrityProperties integrity,
                                            Clock clock, LeasedJobs leased, MeterRegistry registry) {
        return new IntegritySealWorker(leased.leased(new IntegritySealJob(store.integrity(), hasher, clock,
                integrity.sealDelay())), registry);
    }

    @Bean
    IntegrityService integrityService(PostgresStore store, ChainHasher hasher, IntegrityProperties integrity,
                                      Clock clock, LeasedJobs leased, MeterRegistry registry) {
        return new IntegrityService(new ChainVerifier(store.integrity(), hasher, clock, integrity.unsealedLimit(),
                VERIFY_PAGE), store.integrity(), leased, registry);
    }
}
