package io.datastorage.core.reconcile;

import io.datastorage.core.job.BackgroundJob;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs the {@link Reconciler} one run at a time, whoever asks (a schedule, an operator, the
 * start-up catch-up, a database that came back): asking while a run is under way joins that run.
 * Keeps the progress of the run under way and the outcome of the last one, and tells a
 * {@link Listener} how each run ended (the server meters it).
 *
 * <p>Runs happen on the {@link Executor} the caller provides, never on the asking thread: whoever
 * owns that executor decides how runs end at shutdown (see {@link #stop()}).
 *
 * <p>Under a {@link JobLease} (several replicas), a run takes the lease before it starts, renews it
 * between slices and hands it back when it ends, so the lease is held exactly while a run is under
 * way. A run asked for while another replica holds the lease ends at once with a
 * {@link LeaseHeldElsewhereException} (no warning, no last error: nothing failed); a run that loses
 * its lease stops at the next slice, leaving the rest to the replica that took it.
 */
public final class ReconcileJob implements BackgroundJob {
    private static final Logger log = LoggerFactory.getLogger(ReconcileJob.class);

    /** Told how each run ended. Called on the run's thread; what it throws is logged and ignored. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** A run compared everything and repaired what differed. */
        default void succeeded(ReconcileReport report) {
        }

        /** A run failed; what it repaired before stays repaired. */
        default void failed(RuntimeException cause) {
        }

        /** A run did not start: another replica holds the lease. */
        default void heldElsewhere() {
        }
    }

    /** The run under way (if any) and the last one that ended. */
    public record Status(boolean running, int slicesDone, int slicesTotal, Instant runningSince,
                         ReconcileReport lastReport, String lastError, Instant lastErrorAt) {
    }

    private final Reconciler reconciler;
    private final Executor runner;
    private final Clock clock;
    private final Listener listener;
    /** {@code null}: no lease, the only process. */
    private final JobLease lease;
    private CompletableFuture<ReconcileReport> current;
    private volatile boolean stopping;
    private volatile int slicesDone;
    private volatile int slicesTotal;
    private volatile Instant runningSince;
    private volatile ReconcileReport lastReport;
    private volatile String lastError;
    private volatile Instant lastErrorAt;

    /** Runs without a lease: for a service that is the only process on its stores. */
    public ReconcileJob(Reconciler reconciler, Executor runner, Clock clock, Listener listener) {
        this(reconciler, runner, clock, listener, null);
    }

    /** @param lease the lease a run holds, named {@link #name()}; {@code null} for none */
    public ReconcileJob(Reconciler reconciler, Executor runner, Clock clock, Listener listener, JobLease lease) {
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (lease != null && !lease.job().equals(name())) {
            throw new IllegalArgumentException("the reconciliation's lease must be named " + name() + ", was " + lease.job());
        }
        this.lease = lease;
    }

    @Override
    public String name() {
        return "reconcile";
    }

    /**
     * Runs (or joins the run under way) and waits for it.
     *
     * @return how many index entries the run repaired; 0 when the stores agreed
     */
    @Override
    public long runOnce() {
        return run().repaired();
    }

    /** Starts a run, or returns the one under way. */
    public synchronized CompletableFuture<ReconcileReport> start() {
        if (current != null && !current.isDone()) {
            return current;
        }
        runningSince = clock.instant();
        slicesDone = 0;
        slicesTotal = 0;
        try {
            current = CompletableFuture.supplyAsync(this::reconcile, runner);
        } catch (RejectedExecutionException e) {
            runningSince = null;
            throw e;
        }
        return current;
    }

    /**
     * Runs (or joins the run under way) and waits for its report.
     *
     * @throws io.datastorage.core.index.IndexUnavailableException the index failed
     * @throws io.datastorage.core.store.StoreException            PostgreSQL failed
     * @throws CancellationException                               {@link #stop()} ended the run, or the run
     *                                                             lost its lease
     * @throws LeaseHeldElsewhereException                         another replica holds the lease
     */
    public ReconcileReport run() {
        try {
            return start().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private ReconcileReport reconcile() {
        try {
            if (lease != null && !lease.take()) {
                log.debug("Reconciliation skipped: another replica holds its lease");
                tell(listener::heldElsewhere);
                throw new LeaseHeldElsewhereException(name());
            }
        } catch (RuntimeException e) {
            runningSince = null;
            if (!(e instanceof LeaseHeldElsewhereException)) {
                failed(e);
            }
            throw e;
        }
        try {
            ReconcileReport report = reconciler.run((done, total) -> {
                if (stopping) {
                    // Between slices, never inside the index's I/O.
                    throw new CancellationException("the service is shutting down");
                }
                if (lease != null && !lease.mayContinue()) {
                    throw new CancellationException("the reconciliation's lease was taken by another replica");
                }
                slicesTotal = total;
                slicesDone = done;
            });
            if (report.consistent()) {
                log.info("Reconciled {} record(s) with the vector index in {} ms: consistent", report.checked(),
                        report.duration().toMillis());
            } else {
                log.warn("Reconciled {} record(s) with the vector index in {} ms: {} missing, {} changed, {} orphan(s); "
                                + "{} entries repaired", report.checked(), report.duration().toMillis(), report.missing(),
                        report.changed(), report.orphans(), report.repaired());
            }
            lastReport = report;
            tell(() -> listener.succeeded(report));
            return report;
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        } finally {
            runningSince = null;
            release();
        }
    }

    private void failed(RuntimeException e) {
        lastError = e.getMessage();
        lastErrorAt = clock.instant();
        log.warn("Reconciliation failed; what it repaired stays repaired, the next run goes on: {}", e.getMessage());
        tell(() -> listener.failed(e));
    }

    /** Hands the lease back after a run, so that whichever replica is asked next may run at once. */
    private void release() {
        if (lease == null) {
            return;
        }
        try {
            lease.release();
        } catch (RuntimeException e) {
            log.warn("Could not hand back the reconciliation's lease; it lapses after {}: {}", lease.duration(),
                    e.getMessage());
        }
    }

    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("The reconciliation listener failed", e);
        }
    }

    public Status status() {
        Instant since = runningSince;
        return new Status(since != null, slicesDone, slicesTotal, since, lastReport, lastError, lastErrorAt);
    }

    public Optional<ReconcileReport> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    /** Share of the differing slices the run under way has compared; 1 when no run is under way. */
    public double progress() {
        int total = slicesTotal;
        return runningSince == null || total == 0 ? 1.0 : (double) slicesDone / total;
    }

    /**
     * Makes a run under way end at its next slice boundary with a {@link CancellationException},
     * and every later run at its first: for shutdown, where the run's thread must not be
     * interrupted (an interrupt inside an index's file I/O can break the index).
     */
    public void stop() {
        stopping = true;
    }
}
