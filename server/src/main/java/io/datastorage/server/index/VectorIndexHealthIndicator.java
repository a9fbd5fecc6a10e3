package io.datastorage.server.index;

import io.datastorage.core.index.IndexHealth;
import io.datastorage.core.index.VectorIndex;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The vector index's health as the {@code vectorIndex} component of the management port's
 * {@code /health}: UP or DOWN with the index's own detail (Lucene's directory, Solr's collection).
 * It is in neither probe group: while the index is down the service still takes writes (fallback
 * mode) and answers searches degraded, so {@code /healthz} and {@code /readyz} stay up, and this is
 * where an operator sees why writes answer {@code vectorIndexed: false}.
 */
final class VectorIndexHealthIndicator implements HealthIndicator {
    private final VectorIndex index;

    VectorIndexHealthIndicator(VectorIndex index) {
        this.index = index;
    }

    @Override
    public Health health() {
        IndexHealth health = index.health();
        return (health.up() ? Health.up() : Health.down()).withDetail("detail", health.detail()).build();
    }
}
