package io.datastorage.server.index;

import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.reconcile.ReconcileJob;
import io.datastorage.core.reconcile.ReconcileReport;
import io.datastorage.core.reconcile.Reconciler;
import io.datastorage.server.job.LeasedJobs;
import io.datastorage.server.job.LongJobLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The server's side of reconciliation; the logic (one run at a time, joining, progress, last
 * report) is core's {@link ReconcileJob}. Here: the thread runs happen on and how it ends at
 * shutdown, the schedule ({@code datastorage.index.reconcile-interval}), and the metrics: {@code
 * datastorage_reconcile_runs_total{outcome}}, {@code datastorage_reconcile_divergence_total{kind}},
 * {@code datastorage_reconcile_duration_seconds}, {@code datastorage_reconcile_progress_ratio}, and every run,
 * whoever asked for it, in {@code datastorage_job_runs_total{job="reconcile"}}.
 *
 * <p>A run holds the {@code reconcile} lease while it is under way (see {@link LeasedJobs}): of
 * several replicas one reconciles at a time; asked while another replica reconciles, a run ends at
 * once with {@link LeaseHeldElsewhereException} (the admin API answers 409 {@code reconcile-elsewhere}).
 */
public class ReconcileService extends LongJobLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReconcileService.class);

    /** How a run ended. */
    enum Outcome { CONSISTENT, REPAIRED, FAILED }

    private final ExecutorService runner = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("reconcile").daemon().unstarted(r));
    private final MeterRegistry registry;
    private final Timer duration;
    private final ReconcileJob job;
    /** Between the context's start and its stop. */
    private final LeasedJobs leased;

    public ReconcileService(Reconciler reconciler, MeterRegistry registry, Clock clock, LeasedJobs leased) {
        this.leased = leased;
        this.registry = registry;
        this.duration = Timer.builder("datastorage.reconcile.duration")
                .description("Time a reconciliation of PostgreSQL and the vector index took").register(registry);
        for (Outcome outcome : Outcome.values()) {
            runsCounter(outcome);
        }
        for (String kind : new String[]{"missing", "changed", "orphan"}) {
            divergenceCounter(kind);
        }
        this.job = new ReconcileJob(reconciler, runner, clock, new Metered(), leased.lease("reconcile"));
        Gauge.builder("datastorage.reconcile.progress", job, ReconcileJob::progress)
                .description("Share of the differing id slices the running reconciliation has compared (1 when idle)")
                .baseUnit("ratio").register(registry);
    }

    /** The job, for whoever asks for a run (the admin API, the catch-up, a database recovery). */
    public ReconcileJob job() {
        return job;
    }

    private Counter runsCounter(Outcome outcome) {
        return Counter.builder("datastorage.reconcile.runs").tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("Reconciliations by outcome").register(registry);
    }

    private Counter divergenceCounter(String kind) {
        return Counter.builder("datastorage.reconcile.divergence").tag("kind", kind)
                .description("Index entries found missing, changed or orphaned by reconciliation").register(registry);
    }

    private final class Metered implements ReconcileJob.Listener {
        @Override
        public void succeeded(ReconcileReport report) {
            duration.record(report.duration());
            divergenceCounter("missing").increment(report.missing());
            divergenceCounter("changed").increment(report.changed());
            divergenceCounter("orphan").increment(report.orphans());
            runsCounter(report.consistent() ? Outcome.CONSISTENT : Outcome.REPAIRED).increment();
            leased.count("reconcile", LeasedJobs.Outcome.RAN);
        }

        @Override
        public void failed(RuntimeException cause) {
            runsCounter(Outcome.FAILED).increment();
            leased.count("reconcile", LeasedJobs.Outcome.FAILED);
        }

        @Override
        public void heldElsewhere() {
            leased.count("reconcile", LeasedJobs.Outcome.SKIPPED);
        }
    }

    @Scheduled(initialDelayString = "${datastorage.index.reconcile-interval:15m}",
            fixedDelayString = "${datastorage.index.reconcile-interval:15m}")
    void scheduled() {
        try {
            job.runOnce();
        } catch (RuntimeException e) {
            // Logged and counted by the run itself (another replica reconciling counts as skipped);
            // the next run tries again.
        }
    }

    /** Ends a run under way at its next slice; the caller's thread goes on at once. */
    @Override
    protected void stopRun() {
        job.stop();
    }

    /**
     * Stops a run under way between two slices and waits for it. Its thread is never interrupted:
     * an interrupt reaching a thread inside Lucene's file I/O closes the channel and leaves the
     * index's writer unusable, so the index's final commit at shutdown would fail.
     */
    @Override
    public void close() {
        job.stop();
        LongJobLifecycle.awaitEnd(runner, log, "A reconciliation is still running");
    }
}
