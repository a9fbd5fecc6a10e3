package io.datastorage.core.migration;

import io.datastorage.core.job.BackgroundJob;
import io.datastorage.core.job.JobContext;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Runs the {@link Backfill} one run at a time, whoever asks (an operator, the worker that resumes an
 * unfinished run): asking for the direction under way joins that run; asking for the other one is
 * refused ({@link BackfillRunningException}). Keeps the progress of the run under way; each run that
 * ends (complete or not) is kept in {@link MigrationRuns}, where every replica reads it.
 *
 * <p>Under a {@link JobLease} (several replicas; named {@link #NAME}), a run takes the lease before
 * it starts, renews it before each page and hands it back when it ends, so one replica backfills at
 * a time. Asked for while another replica holds it, a run ends at once with a
 * {@link LeaseHeldElsewhereException}; a run that loses its lease, or is stopped ({@link #stop()}),
 * ends with a {@link CancellationException} and leaves its checkpoint, from which the next run
 * resumes: {@link #runOnce()} (the worker's call, every few seconds on each replica) resumes an
 * unfinished run, so after a crash whichever replica takes the lease next finishes it.
 *
 * <p>Runs happen on the {@link Executor} the caller provides, never on the asking thread.
 */
public final class BackfillJob implements BackgroundJob {
    private static final Logger log = LoggerFactory.getLogger(BackfillJob.class);
    /** The job's name and lease. */
    public static final String NAME = "migration-backfill";

    /** Told how each run ended. Called on the run's thread; what it throws is logged and ignored. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** A run ended, complete or not ({@link BackfillResult#complete()}). */
        default void finished(BackfillResult result) {
        }

        /** A run did not start: another replica holds the lease. */
        default void heldElsewhere() {
        }

        /** A run stopped without ending (lease lost, shutdown) or could not start; it resumes later. */
        default void failed(RuntimeException cause) {
        }
    }

    /** The run under way, if any. */
    public record Status(boolean running, BackfillDirection direction, Backfill.Progress progress) {
    }

    private final Backfill backfill;
    private final MigrationRuns runs;
    private final Executor runner;
    private final Listener listener;
    /** {@code null}: no lease, the only process. */
    private final JobLease lease;
    private CompletableFuture<BackfillResult> current;
    private volatile BackfillDirection direction;
    private volatile Backfill.Progress progress;
    private volatile boolean stopping;

    /** @param lease the lease a run holds, named {@link #NAME}; {@code null} for none */
    public BackfillJob(Backfill backfill, MigrationRuns runs, Executor runner, Listener listener, JobLease lease) {
        this.backfill = Objects.requireNonNull(backfill, "backfill");
        this.runs = Objects.requireNonNull(runs, "runs");
        this.runner = Objects.requireNonNull(runner, "runner");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (lease != null && !lease.job().equals(NAME)) {
            throw new IllegalArgumentException("the backfill's lease must be named " + NAME + ", was " + lease.job());
        }
        this.lease = lease;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Resumes an unfinished run if one was left (a checkpoint) and none runs here, and waits for it.
     *
     * @return the records it copied; 0 when there was nothing to resume
     */
    @Override
    public long runOnce() {
        return resumeUnfinished().map(run -> join(run).copied()).orElse(0L);
    }

    /**
     * Starts the unfinished run of a direction that left a checkpoint, unless a run is under way here
     * (then nothing). Does not wait.
     *
     * @return the run started, if one was
     * @throws RuntimeException the checkpoints could not be read
     */
    public synchronized Optional<CompletableFuture<BackfillResult>> resumeUnfinished() {
        if (stopping || (current != null && !current.isDone())) {
            return Optional.empty();
        }
        for (BackfillDirection candidate : BackfillDirection.values()) {
            if (backfill.unfinished(candidate).isPresent()) {
                return Optional.of(start(candidate));
            }
        }
        return Optional.empty();
    }

    /**
     * Starts a run of {@code direction} (resuming its checkpoint, if one was left), or returns the one
     * under way.
     *
     * @throws BackfillRunningException a run of the other direction is under way here
     */
    public synchronized CompletableFuture<BackfillResult> start(BackfillDirection direction) {
        Objects.requireNonNull(direction, "direction");
        if (current != null && !current.isDone()) {
            if (this.direction == direction) {
                return current;
            }
            throw new BackfillRunningException(this.direction, direction);
        }
        this.direction = direction;
        this.progress = null;
        current = CompletableFuture.supplyAsync(() -> runNow(direction), runner);
        return current;
    }

    /**
     * Runs a backfill of {@code direction} (or joins the run under way) and waits for its result.
     *
     * @throws BackfillRunningException    a run of the other direction is under way here
     * @throws LeaseHeldElsewhereException another replica holds the lease
     * @throws CancellationException       the run stopped without ending (lease lost, shutdown); it
     *                                     resumes from its checkpoint
     */
    public BackfillResult run(BackfillDirection direction) {
        return join(start(direction));
    }

    private static BackfillResult join(CompletableFuture<BackfillResult> run) {
        try {
            return run.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private BackfillResult runNow(BackfillDirection direction) {
        try {
            if (stopping) {
                throw new CancellationException("the service is shutting down");
            }
            if (lease != null && !lease.take()) {
                log.debug("Backfill {} not run: another replica holds its lease", direction.value());
                tell(listener::heldElsewhere);
                throw new LeaseHeldElsewhereException(NAME);
            }
        } catch (RuntimeException e) {
            if (!(e instanceof LeaseHeldElsewhereException)) {
                tell(() -> listener.failed(e));
            }
            throw e;
        }
        try {
            JobContext context = () -> {
                if (stopping) {
                    throw new CancellationException("the service is shutting down");
                }
                return lease == null || lease.mayContinue();
            };
            BackfillResult result = backfill.run(direction, context, now -> progress = now);
            try {
                runs.backfillFinished(result);
            } catch (RuntimeException e) {
                log.warn("Could not keep the result of the {} backfill where every replica reads it: {}",
                        direction.value(), e.getMessage());
            }
            tell(() -> listener.finished(result));
            return result;
        } catch (RuntimeException e) {
            tell(() -> listener.failed(e));
            throw e;
        } finally {
            release();
        }
    }

    private void release() {
        if (lease == null) {
            return;
        }
        try {
            lease.release();
        } catch (RuntimeException e) {
            log.warn("Could not hand back the backfill's lease; it lapses after {}: {}", lease.duration(), e.getMessage());
        }
    }

    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("The backfill listener failed", e);
        }
    }

    /** Whether a run is under way here, its direction and progress (zero until its first page). */
    public synchronized Status status() {
        boolean running = current != null && !current.isDone();
        if (!running) {
            return new Status(false, null, null);
        }
        Backfill.Progress now = progress;
        return new Status(true, direction, now == null ? new Backfill.Progress(0, 0, 0, 0) : now);
    }

    /**
     * Makes a run under way stop at its next page with a {@link CancellationException} (its
     * checkpoint kept, so it resumes after the restart), and every later one at its start: for
     * shutdown, where the run's thread must not be interrupted inside a store's I/O.
     */
    public void stop() {
        stopping = true;
    }
}
