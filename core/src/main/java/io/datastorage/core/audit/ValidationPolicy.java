package io.datastorage.core.audit;

import java.time.Duration;
import java.util.Objects;

/**
 * The configurable part of validation.
 *
 * @param maxFutureSkew   how far in the future {@code createdAt} may lie (clock skew between
 *                        producers and this service), 0..1h
 * @param maxBatchRecords how many records one batch may carry, 1..10000
 */
public record ValidationPolicy(Duration maxFutureSkew, int maxBatchRecords) {

    public static final ValidationPolicy DEFAULT = new ValidationPolicy(Duration.ofMinutes(5), 500);

    public ValidationPolicy {
        Objects.requireNonNull(maxFutureSkew, "maxFutureSkew");
        if (maxFutureSkew.isNegative() || maxFutureSkew.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("maxFutureSkew must be 0s..1h, was " + maxFutureSkew);
        }
        if (maxBatchRecords < 1 || maxBatchRecords > 10_000) {
            throw new IllegalArgumentException("maxBatchRecords must be 1..10000, was " + maxBatchRecords);
        }
    }
}
