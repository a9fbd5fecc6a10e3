package io.datastorage.server.migration;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.datastorage.core.migration.MigrationListener;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.MigrationSide;
import io.datastorage.core.migration.ShadowReadOutcome;
import io.datastorage.core.migration.WriteOutcome;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.core.migration.SecondaryWriteQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The migration's metrics: {@code datastorage_migration_phase{phase}} (1 for the phase this replica
 * runs under, 0 for the others), {@code datastorage_migration_phase_store_up} (0 while the phase store
 * does not answer and the last known phase is kept), {@code datastorage_migration_writes_total{store, outcome}},
 * {@code datastorage_migration_queue_depth}, {@code datastorage_migration_queue_age_seconds} and
 * {@code datastorage_migration_shadow_reads_total{outcome}}, every label value registered at start
 * (closed sets), so a series exists before its first event.
 *
 * <p>The queue gauges read one backlog, cached for {@link #BACKLOG_TTL}: a scrape reads both gauges,
 * and the backlog query counts the whole queue, so it runs at most once per scrape (and once per
 * few seconds however often the status is asked). A backlog that cannot be read shows as NaN.
 */
public final class MigrationMetrics implements MigrationListener {
    /** How long one backlog reading serves the gauges and the status. */
    static final Duration BACKLOG_TTL = Duration.ofSeconds(3);
    /** The {@code store} label's values. */
    static final List<String> STORES = Arrays.stream(MigrationSide.values())
            .map(side -> side.name().toLowerCase(Locale.ROOT)).toList();

    private final Map<String, Counter> writes = new LinkedHashMap<>();
    private final Map<String, Counter> shadowReads = new LinkedHashMap<>();
    private final LoadingCache<Boolean, SecondaryWriteQueue.Backlog> backlog;
    private final Clock clock;

    public MigrationMetrics(MeterRegistry registry, PhaseWatcher phases, SecondaryWriteQueue queue, Clock clock) {
        this.clock = clock;
        this.backlog = Caffeine.newBuilder().expireAfterWrite(BACKLOG_TTL).build(key -> queue.backlog());
        for (MigrationPhase phase : MigrationPhase.values()) {
            Gauge.builder("datastorage.migration.phase", phases, p -> p.current().phase() == phase ? 1 : 0)
                    .tag("phase", phase.name())
                    .description("1 for the migration phase this replica writes under, 0 for the others")
                    .register(registry);
        }
        Gauge.builder("datastorage.migration.phase.store.up", phases, p -> p.storeHealth().up() ? 1 : 0)
                .description("1 while the phase store (PostgreSQL) answers this replica's refreshes, 0 while it does not "
                        + "and the replica runs under the last known phase")
                .register(registry);
        for (String store : STORES) {
            for (String outcome : Arrays.stream(WriteOutcome.values()).map(WriteOutcome::value).toList()) {
                writes.put(store + "/" + outcome, Counter.builder("datastorage.migration.writes")
                        .tag("store", store).tag("outcome", outcome)
                        .description("Writes (requests, a batch counts once) to each store of the migration: ok, queued "
                                + "(for the queue's job), failed, undone (the fail policy took back a primary write)")
                        .register(registry));
            }
        }
        for (String outcome : Arrays.stream(ShadowReadOutcome.values()).map(ShadowReadOutcome::value).toList()) {
            shadowReads.put(outcome, Counter.builder("datastorage.migration.shadow.reads").tag("outcome", outcome)
                    .description("Reads also read from the secondary store and compared: match, missing, differs, error")
                    .register(registry));
        }
        Gauge.builder("datastorage.migration.queue.depth", this, m -> m.backlog().map(b -> (double) b.depth()).orElse(Double.NaN))
                .description("Writes owed to the migration's secondary store, queued").register(registry);
        Gauge.builder("datastorage.migration.queue.age", this, m -> m.backlog().map(m::ageSeconds).orElse(Double.NaN))
                .description("How long the oldest queued secondary write has waited (0: none waits)")
                .baseUnit("seconds").register(registry);
    }

    /** The queue's backlog, at most {@link #BACKLOG_TTL} old; empty when it cannot be read. */
    public Optional<SecondaryWriteQueue.Backlog> backlog() {
        try {
            return Optional.of(backlog.get(Boolean.TRUE));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** How long the oldest entry of {@code backlog} has waited, in seconds (0 when empty). */
    public double ageSeconds(SecondaryWriteQueue.Backlog backlog) {
        return backlog.oldestEnqueuedAt()
                .map(oldest -> Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0))
                .orElse(0.0);
    }

    /** Counts one write of a routed request reaching {@code outcome} on {@code store}. */
    @Override
    public void written(MigrationSide store, WriteOutcome outcome) {
        writes.get(store.name().toLowerCase(Locale.ROOT) + "/" + outcome.value()).increment();
    }

    /** Counts one shadow read. */
    @Override
    public void shadowRead(ShadowReadOutcome outcome) {
        shadowReads.get(outcome.value()).increment();
    }

    /** The shadow reads counted so far, by outcome, in {@link ShadowReadOutcome}'s order. */
    public Map<String, Long> shadowReads() {
        Map<String, Long> counts = new LinkedHashMap<>();
        shadowReads.forEach((outcome, counter) -> counts.put(outcome, (long) counter.count()));
        return counts;
    }
}
