package io.datastorage.server.config;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.store.postgres.PostgresStoreConfig;
import io.datastorage.store.postgres.PostgresWatchdog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the service does when its embedded PostgreSQL dies: readiness goes false at once (writes
 * answer 503 {@code unavailable} from the store anyway), the {@link PostgresWatchdog} restarts the
 * server on the same data directory, the pool drops its broken connections, and readiness comes
 * back by itself ({@link DatabaseRecovered} is published then). When the restarts keep failing, liveness goes false, so that the orchestrator
 * restarts the whole process; a late success makes it true again.
 *
 * <p>Metrics: {@code datastorage_db_up} (1 or 0), {@code datastorage_db_restarts_total{outcome}}
 * (outcome: {@code recovered}, {@code failed}).
 */
final class EmbeddedDatabaseRecovery implements PostgresWatchdog.Listener, AutoCloseable {
    private final ApplicationEventPublisher events;
    private final HikariDataSource dataSource;
    private final AtomicInteger up = new AtomicInteger(1);
    private final Counter recovered;
    private final Counter failed;
    private PostgresWatchdog watchdog;

    EmbeddedDatabaseRecovery(ApplicationEventPublisher events, HikariDataSource dataSource, MeterRegistry registry) {
        this.events = events;
        this.dataSource = dataSource;
        Gauge.builder("datastorage.db.up", up, AtomicInteger::get)
                .description("1 while the database accepts connections, as the embedded server's watchdog sees it")
                .register(registry);
        this.recovered = restarts(registry, "recovered");
        this.failed = restarts(registry, "failed");
    }

    private static Counter restarts(MeterRegistry registry, String outcome) {
        return Counter.builder("datastorage.db.restarts")
                .description("Restart attempts of the embedded PostgreSQL after it died")
                .tag("outcome", outcome)
                .register(registry);
    }

    void watch(DatabaseServer server, PostgresStoreConfig settings) {
        watchdog = PostgresWatchdog.start(server.embedded(), settings.embeddedCheckInterval(),
                settings.embeddedRestartAttempts(), this);
    }

    @Override
    public void down() {
        up.set(0);
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }

    @Override
    public void restarted(int attempts, Duration downtime) {
        recovered.increment();
        // Connections to the dead server would each fail one request before the pool noticed.
        var pool = dataSource.getHikariPoolMXBean();
        if (pool != null) {
            pool.softEvictConnections();
        }
        up.set(1);
        AvailabilityChangeEvent.publish(events, this, LivenessState.CORRECT);
        AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        events.publishEvent(new DatabaseRecovered(downtime));
    }

    @Override
    public void restartFailed(int attempt, RuntimeException failure) {
        failed.increment();
    }

    @Override
    public void gaveUp(int attempts) {
        AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
    }

    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.close();
        }
    }
}
