package io.datastorage.server.index;

import io.datastorage.core.reconcile.ReconcileReport;
import io.datastorage.core.reconcile.Reconciler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link Reconciler} on a schedule and on demand, one run at a time: asking while a run
 * is under way joins that run. Keeps its progress and last outcome for the admin API, and meters
 * them: {@code datastorage_reconcile_runs_total{outcome}}, {@code
 * datastorage_reconcile_divergence_total{kind}}, {@code datastorage_reconcile_duration_seconds},
 * {@code datastorage_reconcile_progress_ratio}.
 */
public class ReconcileService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReconcileService.class);

    /** How a run ended. */
    enum Outcome { CONSISTENT, REPAIRED, FAILED }

    /** What the admin API shows: the run under way (if any) and the last one that ended. */
    public record Status(boolean running, int slicesDone, int slicesTotal, Instant runningSince,
                         ReconcileReport lastReport, String lastError, Instant lastErrorAt) {
    }

    private final Reconciler reconciler;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("reconcile").daemon().unstarted(r));
    private final MeterRegistry registry;
    private final Timer duration;
    private CompletableFuture<ReconcileReport> current;
    private volatile boolean closing;
    private volatile int slicesDone;
    private volatile int slicesTotal;
    private volatile Instant runningSince;
    private volatile ReconcileReport lastReport;
    private volatile String lastError;
    private volatile Instant lastErrorAt;

    public ReconcileService(Reconciler reconciler, MeterRegistry registry) {
        this.reconciler = reconciler;
        this.registry = registry;
        this.duration = Timer.builder("datastorage.reconcile.duration")
                .description("Time a reconciliation of PostgreSQL and the vector index took").register(registry);
        for (Outcome outcome : Outcome.values()) {
            runsCounter(outcome);
        }
        for (String kind : new String[]{"missing", "changed", "orphan"}) {
            divergenceCounter(kind);
        }
        Gauge.builder("datastorage.reconcile.progress", this, s -> s.progress())
                .description("Share of the differing id slices the running reconciliation has compared (1 when idle)")
                .baseUnit("ratio").register(registry);
    }

    private Counter runsCounter(Outcome outcome) {
        return Counter.builder("datastorage.reconcile.runs").tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("Reconciliations by outcome").register(registry);
    }

    private Counter divergenceCounter(String kind) {
        return Counter.builder("datastorage.reconcile.divergence").tag("kind", kind)
                .description("Index entries found missing, changed or orphaned by reconciliation").register(registry);
    }

    private double progress() {
        int total = slicesTotal;
        return runningSince == null || total == 0 ? 1.0 : (double) slicesDone / total;
    }

    /** Starts a run, or returns the one under way. */
    public synchronized CompletableFuture<ReconcileReport> start() {
        if (current != null && !current.isDone()) {
            return current;
        }
        runningSince = Instant.now();
        slicesDone = 0;
        slicesTotal = 0;
        current = CompletableFuture.supplyAsync(this::runOnce, runner);
        return current;
    }

    /** Runs (or joins the run under way) and waits for its report. */
    public ReconcileReport reconcile() {
        try {
            return start().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    @Scheduled(initialDelayString = "${datastorage.index.reconcile-interval:15m}",
            fixedDelayString = "${datastorage.index.reconcile-interval:15m}")
    void scheduled() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            // Logged and counted by the run itself; the next run tries again.
        }
    }

    private ReconcileReport runOnce() {
        try {
            ReconcileReport report = reconciler.run((done, total) -> {
                if (closing) {
                    // Between slices, never inside the index's I/O (see close()).
                    throw new CancellationException("the service is shutting down");
                }
                slicesTotal = total;
                slicesDone = done;
            });
            duration.record(report.duration());
            divergenceCounter("missing").increment(report.missing());
            divergenceCounter("changed").increment(report.changed());
            divergenceCounter("orphan").increment(report.orphans());
            runsCounter(report.consistent() ? Outcome.CONSISTENT : Outcome.REPAIRED).increment();
            if (report.consistent()) {
                log.info("Reconciled {} record(s) with the vector index in {} ms: consistent", report.checked(),
                        report.duration().toMillis());
            } else {
                log.warn("Reconciled {} record(s) with the vector index in {} ms: {} missing, {} changed, {} orphan(s); "
                                + "{} entries repaired", report.checked(), report.duration().toMillis(), report.missing(),
                        report.changed(), report.orphans(), report.repaired());
            }
            lastReport = report;
            return report;
        } catch (RuntimeException e) {
            runsCounter(Outcome.FAILED).increment();
            lastError = e.getMessage();
            lastErrorAt = Instant.now();
            log.warn("Reconciliation failed; what it repaired stays repaired, the next run goes on: {}", e.getMessage());
            throw e;
        } finally {
            runningSince = null;
        }
    }

    public Status status() {
        Instant since = runningSince;
        return new Status(since != null, slicesDone, slicesTotal, since, lastReport, lastError, lastErrorAt);
    }

    public Optional<ReconcileReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /**
     * Stops a run under way between two slices and waits for it. Its thread is never interrupted:
     * an interrupt reaching a thread inside Lucene's file I/O closes the channel and leaves the
     * index's writer unusable, so the index's final commit at shutdown would fail.
     */
    @Override
    public void close() {
        closing = true;
        runner.shutdown();
        try {
            if (!runner.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("A reconciliation is still running after 30 s; shutting down without it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
