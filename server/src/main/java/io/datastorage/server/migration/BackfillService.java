package io.datastorage.server.migration;

import io.datastorage.core.migration.Backfill;
import io.datastorage.core.migration.BackfillDirection;
import io.datastorage.core.migration.BackfillJob;
import io.datastorage.core.migration.BackfillResult;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.server.job.LeasedJobs;
import io.datastorage.server.job.LongJobLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The server's side of the migration's backfill; the logic (one run at a time, joining, the lease,
 * resuming from a checkpoint) is core's {@link BackfillJob}. Here: the thread runs happen on and how
 * it ends at shutdown (the run stops at its next page, its checkpoint kept), the worker that resumes
 * an unfinished run every {@link #RESUME_EVERY_MILLIS} ms on whichever replica takes the
 * {@code migration-backfill} lease, and the metrics:
 * {@code datastorage_migration_backfill_records_total{direction, outcome=copied|skipped|unreadable}},
 * {@code datastorage_migration_backfill_running{direction}} (0/1, this replica),
 * {@code datastorage_migration_backfill_progress_ratio{direction}} (the share of the source the run
 * under way here has scanned; 0 when none runs here), and every run in
 * {@code datastorage_job_runs_total{job="migration-backfill"}}.
 */
public class BackfillService extends LongJobLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackfillService.class);
    /** How often the worker looks for an unfinished run to resume. */
    static final long RESUME_EVERY_MILLIS = 5000;

    private final ExecutorService runner = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("migration-backfill").daemon().unstarted(r));
    private final Map<BackfillDirection, Counter> copied = new EnumMap<>(BackfillDirection.class);
    private final Map<BackfillDirection, Counter> skipped = new EnumMap<>(BackfillDirection.class);
    private final Map<BackfillDirection, Counter> unreadable = new EnumMap<>(BackfillDirection.class);
    private final BackfillJob job;
    /** Between the context's start and its stop. */
    private final MigrationRuns runs;

    /** @param backfill a function from the engine's listener (the counters) to the engine */
    public BackfillService(Function<Backfill.Listener, Backfill> backfill, MigrationRuns runs, MeterRegistry registry,
                           LeasedJobs leased) {
        this.runs = runs;
        for (BackfillDirection direction : BackfillDirection.values()) {
            copied.put(direction, records(registry, direction, "copied"));
            skipped.put(direction, records(registry, direction, "skipped"));
            unreadable.put(direction, records(registry, direction, "unreadable"));
        }
        Backfill engine = backfill.apply(new Backfill.Listener() {
            @Override
            public void counted(BackfillDirection direction, long copiedNow, long skippedNow) {
                copied.get(direction).increment(copiedNow);
                skipped.get(direction).increment(skippedNow);
            }

            @Override
            public void unreadable(BackfillDirection direction, long unreadableNow) {
                unreadable.get(direction).increment(unreadableNow);
            }
        });
        this.job = new BackfillJob(engine, runs, runner, new BackfillJob.Listener() {
            @Override
            public void finished(BackfillResult result) {
                leased.count(BackfillJob.NAME, result.complete() ? LeasedJobs.Outcome.RAN : LeasedJobs.Outcome.FAILED);
            }

            @Override
            public void heldElsewhere() {
                leased.count(BackfillJob.NAME, LeasedJobs.Outcome.SKIPPED);
            }

            @Override
            public void failed(RuntimeException cause) {
                leased.count(BackfillJob.NAME, LeasedJobs.Outcome.FAILED);
            }
        }, leased.lease(BackfillJob.NAME));
        for (BackfillDirection direction : BackfillDirection.values()) {
            Gauge.builder("datastorage.migration.backfill.running", job, j -> running(j, direction) ? 1 : 0)
                    .tag("direction", direction.value())
                    .description("1 while this replica runs a backfill of this direction, else 0").register(registry);
            Gauge.builder("datastorage.migration.backfill.progress", job,
                            j -> running(j, direction) ? j.status().progress().ratio() : 0)
                    .tag("direction", direction.value()).baseUnit("ratio")
                    .description("Share of the source's records the backfill running here has scanned (0 when none runs)")
                    .register(registry);
        }
    }

    private static Counter records(MeterRegistry registry, BackfillDirection direction, String outcome) {
        return Counter.builder("datastorage.migration.backfill.records").tag("direction", direction.value())
                .tag("outcome", outcome)
                .description("Records a backfill handled: copied to the target, skipped (held already, refused, "
                        + "or removed from the source while copied), or unreadable (a side holds it but cannot read "
                        + "it; not copied)").register(registry);
    }

    private static boolean running(BackfillJob job, BackfillDirection direction) {
        BackfillJob.Status status = job.status();
        return status.running() && status.direction() == direction;
    }

    /** The job, for the admin API. */
    public BackfillJob job() {
        return job;
    }

    /** The last finished runs, as every replica reads them. */
    public MigrationRuns runs() {
        return runs;
    }

    /** Resumes an unfinished run (a checkpoint left by a crash, a lost lease or a shutdown); never waits for it. */
    @Scheduled(initialDelay = RESUME_EVERY_MILLIS, fixedDelay = RESUME_EVERY_MILLIS)
    void resumeUnfinished() {
        try {
            job.resumeUnfinished();
        } catch (RuntimeException e) {
            log.debug("Could not look for an unfinished backfill: {}", e.getMessage());
        }
    }

    /** Ends a run under way at its next page (its checkpoint kept); the caller's thread goes on at once. */
    @Override
    protected void stopRun() {
        job.stop();
    }

    /**
     * Stops a run under way at its next page (its checkpoint stays: the run resumes after the
     * restart, here or on another replica) and waits for it; the thread is never interrupted inside
     * a store's I/O.
     */
    @Override
    public void close() {
        job.stop();
        LongJobLifecycle.awaitEnd(runner, log, "A backfill, which resumes from its checkpoint, is still running");
    }
}
