package io.datastorage.store.postgres;

import io.datastorage.core.integrity.ChainHasher;
import io.datastorage.core.job.BackgroundJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Seals the records received more than the sealing delay ago into their hash chains
 * ({@link PostgresIntegrity#seal}). The delay is longer than any write's deadline, so a write that
 * is undone (its index write failed) is gone before it could be sealed. Idempotent and crash-safe:
 * a run seals only what is not sealed yet, each batch in one transaction with its chain's head.
 */
public final class IntegritySealJob implements BackgroundJob {
    private static final Logger log = LoggerFactory.getLogger(IntegritySealJob.class);
    /** Records sealed in one transaction. */
    static final int BATCH = 1000;
    /** Batches in one run, so a run stays bounded after a long pause. */
    static final int MAX_BATCHES = 100;

    private final PostgresIntegrity store;
    private final ChainHasher hasher;
    private final Clock clock;
    private final Duration delay;

    public IntegritySealJob(PostgresIntegrity store, ChainHasher hasher, Clock clock, Duration delay) {
        this.store = Objects.requireNonNull(store, "store");
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.delay = Objects.requireNonNull(delay, "delay");
    }

    @Override
    public String name() {
        return "integrity-seal";
    }

    /**
     * @return how many records were sealed
     * @throws RuntimeException the store failed (logged); the next run seals what is left
     */
    @Override
    public long runOnce() {
        try {
            long sealed = store.seal(hasher, clock.instant().minus(delay), BATCH, MAX_BATCHES);
            if (sealed > 0) {
                log.debug("{} record(s) sealed into their hash chains", sealed);
            }
            return sealed;
        } catch (RuntimeException e) {
            log.warn("Sealing records into their hash chains failed; the next run tries again: {}", e.getMessage());
            throw e;
        }
    }
}
