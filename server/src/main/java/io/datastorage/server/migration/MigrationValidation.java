package io.datastorage.server.migration;

import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.PhaseState;
import io.datastorage.core.migration.PhaseWatcher;
import io.datastorage.core.migration.SyncReport;
import io.datastorage.core.migration.SyncValidator;
import io.datastorage.core.migration.ValidationResult;
import io.datastorage.server.job.LeasedJobs;
import io.datastorage.server.job.LongJobLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The migration's sync validation as a long job: one run at a time on this replica, whoever asks
 * (the admin API, the CLI through it, the schedule); asking while a run is under way here joins
 * that run, whether it repairs or not (its report says which). Of several replicas one validates at
 * a time, under the {@code migration-validate} lease, taken before a run starts, renewed after each
 * window (and each page read while the windows are summed) and handed back when it ends; a run asked for while another replica holds it ends at once
 * with {@link LeaseHeldElsewhereException}. A repair puts from the primary of the phase current when
 * the run started.
 *
 * <p>Each finished run is kept with {@link MigrationRuns#validationFinished} (so every replica's
 * status and promotion gates read the same last report). Every {@code
 * datastorage.migration.validate-interval} (when not {@code 0s}) a run without repair is started,
 * in the dual phases only. Metrics: {@code datastorage_migration_validation_runs_total{outcome=
 * consistent|inconsistent|failed}}, {@code datastorage_migration_validation_differences{category=
 * missing_in_new|missing_in_legacy|differing|unreadable}} (the last run's; NaN before the first), and each run in
 * {@code datastorage_job_runs_total{job="migration-validate"}}.
 */
public final class MigrationValidation extends LongJobLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationValidation.class);
    /** The lease's name, the job's name in {@link LeasedJobs#JOBS}. */
    public static final String JOB = "migration-validate";

    /** How a run ended. */
    enum Outcome { CONSISTENT, INCONSISTENT, FAILED }

    /** The categories of differences, as the metric's label names them. */
    enum Category { MISSING_IN_NEW, MISSING_IN_LEGACY, DIFFERING, UNREADABLE }

    /** How far the run under way is: windows compared of those in the run (0 until both sides are summed). */
    public record Progress(int windowsDone, int windowsTotal, long checked) {
    }

    /** The run under way on this replica, if any. */
    public record Running(boolean repair, Instant startedAt, Progress progress) {
    }

    private final SyncValidator validator;
    private final PhaseWatcher phases;
    private final MigrationRuns runs;
    private final LeasedJobs leased;
    private final JobLease lease;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<Category, AtomicLong> differences = new EnumMap<>(Category.class);
    private final ExecutorService runner = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("migration-validate").daemon().unstarted(r));
    /** {@code null}: no periodic run ({@code validate-interval=0s}). */
    private final ScheduledExecutorService schedule;
    private CompletableFuture<ValidationResult> current;
    private volatile Running running;
    private volatile boolean stopping;
    /** Between the context's start and its stop. */

    /**
     * @param interval how often a run starts in the dual phases; {@link Duration#ZERO}: never
     */
    public MigrationValidation(SyncValidator validator, PhaseWatcher phases, MigrationRuns runs, LeasedJobs leased,
                               Duration interval, MeterRegistry registry, Clock clock) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.phases = Objects.requireNonNull(phases, "phases");
        this.runs = Objects.requireNonNull(runs, "runs");
        this.leased = Objects.requireNonNull(leased, "leased");
        this.lease = leased.lease(JOB);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.registry = Objects.requireNonNull(registry, "registry");
        for (Outcome outcome : Outcome.values()) {
            runsCounter(outcome);
        }
        for (Category category : Category.values()) {
            AtomicLong last = new AtomicLong(-1);
            differences.put(category, last);
            Gauge.builder("datastorage.migration.validation.differences", last, v -> v.get() < 0 ? Double.NaN : v.get())
                    .tag("category", category.name().toLowerCase(Locale.ROOT))
                    .description("Differences the last sync validation on this replica found (NaN before the first), "
                            + "confirmed by a second reading; repaired ones included")
                    .register(registry);
        }
        if (interval.isZero()) {
            schedule = null;
        } else {
            schedule = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("migration-validate-schedule").daemon().factory());
            long millis = interval.toMillis();
            schedule.scheduleWithFixedDelay(this::scheduled, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    private Counter runsCounter(Outcome outcome) {
        return Counter.builder("datastorage.migration.validation.runs")
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("Sync validations of the migration's two stores by outcome: consistent, inconsistent "
                        + "(differences left after any repair), failed").register(registry);
    }

    /**
     * The periodic run: in a dual phase only (in the others one store is not written, so it is
     * expected to lack records; an operator validates there on request); what it finds is kept and
     * metered like any run.
     *
     * @return whether a run was asked for
     */
    boolean scheduled() {
        if (!phases.current().phase().isDualWrite()) {
            return false;
        }
        try {
            run(false);
        } catch (RuntimeException e) {
            // Logged and counted by the run itself (another replica validating counts as skipped); an
            // exception escaping here would end the schedule.
        }
        return true;
    }

    /** Starts a run (repairing from the primary when {@code repair}), or returns the one under way. */
    public synchronized CompletableFuture<ValidationResult> start(boolean repair) {
        if (current != null && !current.isDone()) {
            return current;
        }
        running = new Running(repair, clock.instant(), new Progress(0, 0, 0));
        try {
            current = CompletableFuture.supplyAsync(() -> validate(repair), runner);
        } catch (RejectedExecutionException e) {
            running = null;
            throw e;
        }
        return current;
    }

    /**
     * Runs (or joins the run under way) and waits for its result.
     *
     * @throws LeaseHeldElsewhereException another replica validates now
     * @throws CancellationException       the service is stopping, or the run lost its lease
     * @throws RuntimeException            a store failed (transient: {@code StoreUnavailableException},
     *                                     {@code LegacyStoreUnavailableException})
     */
    public ValidationResult run(boolean repair) {
        try {
            return start(repair).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private ValidationResult validate(boolean repair) {
        try {
            if (!lease.take()) {
                leased.count(JOB, LeasedJobs.Outcome.SKIPPED);
                throw new LeaseHeldElsewhereException(JOB);
            }
        } catch (RuntimeException e) {
            running = null;
            if (!(e instanceof LeaseHeldElsewhereException)) {
                failed(e);
            }
            throw e;
        }
        try {
            PhaseState phase = phases.current();
            Instant startedAt = running.startedAt();
            SyncValidator.Progress progress = new SyncValidator.Progress() {
                @Override
                public void windowDone(long checked, int windowsDone, int windows) {
                    mayContinue();
                    running = new Running(repair, startedAt, new Progress(windowsDone, windows, checked));
                }

                @Override
                public void summing(long records) {
                    mayContinue();
                }
            };
            SyncReport report = repair ? validator.validateAndRepair(phase.phase().primary(), progress)
                    : validator.validate(progress);
            ValidationResult result = new ValidationResult(phase.version(), repair, clock.instant(), report);
            runs.validationFinished(result);
            differences.get(Category.MISSING_IN_NEW).set(report.missingInNew());
            differences.get(Category.MISSING_IN_LEGACY).set(report.missingInLegacy());
            differences.get(Category.DIFFERING).set(report.differing());
            differences.get(Category.UNREADABLE).set(report.unreadable());
            runsCounter(report.consistent() ? Outcome.CONSISTENT : Outcome.INCONSISTENT).increment();
            leased.count(JOB, LeasedJobs.Outcome.RAN);
            if (report.consistent()) {
                log.info("Sync validation{} under {} (version {}): {} record(s) checked in {} ms, consistent{}",
                        repair ? " with repair" : "", phase.phase(), phase.version(), report.checked(),
                        report.durationMillis(), report.repaired() > 0 ? " after " + report.repaired() + " repair(s)" : "");
            } else {
                log.warn("Sync validation{} under {} (version {}): {} record(s) checked in {} ms; {} missing in new, "
                                + "{} missing in legacy, {} differing, {} unreadable in the legacy store (never repaired), "
                                + "{} repaired (examples: {}, {}, {}, {})",
                        repair ? " with repair" : "", phase.phase(), phase.version(), report.checked(),
                        report.durationMillis(), report.missingInNew(), report.missingInLegacy(), report.differing(),
                        report.unreadable(), report.repaired(), report.missingInNewIds(), report.missingInLegacyIds(),
                        report.differingIds(), report.unreadableKeys());
            }
            return result;
        } catch (RuntimeException e) {
            failed(e);
            throw e;
        } finally {
            running = null;
            try {
                lease.release();
            } catch (RuntimeException e) {
                log.warn("Could not hand back the validation's lease; it lapses after {}: {}", lease.duration(),
                        e.getMessage());
            }
        }
    }

    /** Between two windows (or pages): ends the run if the service stops or the lease was lost, else renews it. */
    private void mayContinue() {
        if (stopping) {
            throw new CancellationException("the service is shutting down");
        }
        if (!lease.mayContinue()) {
            throw new CancellationException("the validation's lease was taken by another replica");
        }
    }

    private void failed(RuntimeException e) {
        runsCounter(Outcome.FAILED).increment();
        leased.count(JOB, LeasedJobs.Outcome.FAILED);
        log.warn("Sync validation failed; what it repaired stays repaired: {}", e.getMessage());
    }

    /** The run under way on this replica, if any. */
    public Optional<Running> running() {
        return Optional.ofNullable(running);
    }

    /** The last run that finished on any replica. */
    public Optional<ValidationResult> last() {
        return runs.lastValidation();
    }

    /** Ends a run under way at its next window; the caller's thread goes on at once. */
    @Override
    protected void stopRun() {
        stopping = true;
    }

    /**
     * Ends the schedule, makes a run under way end at its next window, and waits for it (its thread
     * is never interrupted: a legacy store's file I/O must not be cut off midway).
     */
    @Override
    public void close() {
        stopping = true;
        if (schedule != null) {
            schedule.shutdownNow();
        }
        LongJobLifecycle.awaitEnd(runner, log, "A sync validation is still running");
    }
}
