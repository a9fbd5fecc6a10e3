package io.datastorage.core.dualwrite;

import io.datastorage.core.error.PermanentException;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.VectorIndex;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The vector index behind retries with exponential backoff and a circuit breaker (Resilience4j),
 * shared by the write path and the repair worker. While the breaker is open, calls fail at once
 * as {@link IndexUnavailableException} without touching the index; after its wait, one call is let
 * through as a probe (half-open), and its outcome closes or reopens the breaker.
 *
 * <p>What to retry and what counts against the index is asked of the failure's branch: a
 * {@link TransientException} is retried and recorded as a failure; a {@link PermanentException}
 * (the same call would fail again, and it says nothing about the index being down) is neither
 * retried nor recorded, and reaches the caller at once.
 */
public final class GuardedIndex {
    private final VectorIndex index;
    private final Retry retry;
    private final CircuitBreaker breaker;

    public GuardedIndex(VectorIndex index, Retry retry, CircuitBreaker breaker) {
        this.index = index;
        this.retry = retry;
        this.breaker = breaker;
    }

    /**
     * @param attempts        tries per call, the first included
     * @param initialBackoff  wait before the second try, doubled before each next one
     * @param openFor         how long the breaker stays open before it lets a probe through
     */
    public static GuardedIndex of(VectorIndex index, int attempts, Duration initialBackoff, Duration openFor) {
        Retry retry = Retry.of("vector-index", RetryConfig.custom()
                .maxAttempts(attempts)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(initialBackoff, 2.0))
                .retryOnException(e -> e instanceof TransientException)
                .ignoreExceptions(CallNotPermittedException.class, IllegalArgumentException.class)
                .build());
        CircuitBreaker breaker = CircuitBreaker.of("vector-index", CircuitBreakerConfig.custom()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .recordException(e -> e instanceof TransientException)
                .ignoreException(e -> e instanceof PermanentException || e instanceof IllegalArgumentException)
                .build());
        return new GuardedIndex(index, retry, breaker);
    }

    public void upsert(List<IndexEntry> entries) {
        call(() -> index.upsert(entries));
    }

    public void delete(Collection<UUID> ids) {
        call(() -> index.delete(ids));
    }

    private void call(Runnable operation) {
        try {
            Retry.decorateRunnable(retry, CircuitBreaker.decorateRunnable(breaker, operation)).run();
        } catch (CallNotPermittedException e) {
            throw new IndexUnavailableException("vector index: circuit breaker open after recent failures; a probe call "
                    + "goes through at most " + openFor().toSeconds() + " s after it opened", e);
        }
    }

    private Duration openFor() {
        return Duration.ofMillis(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
    }

    public VectorIndex index() {
        return index;
    }
}
