package io.datastorage.server.integrity;

import io.datastorage.core.job.BackgroundJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Runs the sealing job ({@link io.datastorage.store.postgres.IntegritySealJob}, under its lease)
 * every {@code datastorage.integrity.seal-interval} and counts what it sealed in
 * {@code datastorage_integrity_sealed_records_total}.
 */
public class IntegritySealWorker {
    private final BackgroundJob job;
    private final Counter sealed;

    public IntegritySealWorker(BackgroundJob job, MeterRegistry registry) {
        this.job = job;
        this.sealed = Counter.builder("datastorage.integrity.sealed.records")
                .description("Records sealed into their hash chains").register(registry);
    }

    @Scheduled(initialDelayString = "${datastorage.integrity.seal-interval:1s}",
            fixedDelayString = "${datastorage.integrity.seal-interval:1s}")
    void run() {
        try {
            sealed.increment(job.runOnce());
        } catch (RuntimeException e) {
            // Logged by the job; the next run seals what is left.
        }
    }
}
