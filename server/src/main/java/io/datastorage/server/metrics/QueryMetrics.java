package io.datastorage.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.util.Locale;

/**
 * The read-path meters: {@code datastorage_query_duration_seconds{operation}} and
 * {@code datastorage_query_total{operation,outcome}}. Both labels come from the enums below, so
 * client input never adds a series.
 */
@Component
public class QueryMetrics {
    /** What was asked: a filtered listing or a semantic search. */
    public enum Operation { LIST, SEARCH }

    /**
     * How a read request ended: answered, answered by a degraded search (index down), rejected as
     * invalid, a dependency unavailable, or failed otherwise.
     */
    public enum Outcome { OK, DEGRADED, INVALID, UNAVAILABLE, ERROR }

    private final MeterRegistry registry;

    public QueryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public Timer.Sample start() {
        return Timer.start(registry);
    }

    public void record(Timer.Sample sample, Operation operation, Outcome outcome) {
        String op = operation.name().toLowerCase(Locale.ROOT);
        sample.stop(Timer.builder("datastorage.query.duration")
                .description("Time to answer a read request, from its parameters to its answer")
                .tag("operation", op)
                .publishPercentileHistogram()
                .register(registry));
        Counter.builder("datastorage.query")
                .description("Read requests by operation and outcome")
                .tag("operation", op)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }
}
