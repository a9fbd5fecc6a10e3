package io.datastorage.server.retention;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.retention.LegalHold;
import io.datastorage.core.retention.LegalHolds;
import io.datastorage.core.retention.NewLegalHold;
import io.datastorage.core.retention.RetentionJob;
import io.datastorage.core.retention.RetentionListener;
import io.datastorage.core.retention.RetentionPlan;
import io.datastorage.server.job.LongJobLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The server's side of retention; the logic (plan, drops, holds checked again, index deletes that
 * wait for the index) is core's {@link RetentionJob}. Here: the schedule (every
 * {@code datastorage.retention.interval}), the lease {@code retention} (one replica runs it; a
 * drop is idempotent, so two runs overlapping past a lapsed lease delete nothing twice), one run at
 * a time on this replica, the stop at shutdown (the run ends after the month it is dropping), the
 * legal holds' API side, and the metrics:
 * {@code datastorage_retention_records_dropped_total{kind}},
 * {@code datastorage_retention_months_blocked{kind}} (expired months that holds keep, as of the last
 * run or dry run) and {@code datastorage_legal_holds_active} (as of the last run, dry run or change
 * of a hold).
 */
public class RetentionService extends LongJobLifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

    /** What one run did: the months it dropped and those that holds kept. */
    public record Run(Instant at, List<RetentionPlan.Drop> dropped, List<RetentionPlan.Blocked> blocked) {
        public long records() {
            return dropped.stream().mapToLong(RetentionPlan.Drop::records).sum();
        }
    }

    /** A run was asked for while one runs on this replica. */
    public static final class RunningException extends RuntimeException {
        public RunningException() {
            super("a retention run is under way on this replica");
        }
    }

    private final RetentionJob job;
    private final LegalHolds holds;
    private final JobLease lease;
    private final Clock clock;
    private final ReentrantLock running = new ReentrantLock();
    private final Map<AuditKind, Counter> dropped = new EnumMap<>(AuditKind.class);
    private final Map<AuditKind, AtomicLong> blocked = new EnumMap<>(AuditKind.class);
    private final AtomicLong activeHolds = new AtomicLong();
    private volatile boolean stopping;
    private volatile RetentionPlan lastPlan;
    /** The drops of the run under way, collected by the listener on the run's thread. */
    private final List<RetentionPlan.Drop> current = new ArrayList<>();

    /** @param job a function from the listener (the metrics) to the job */
    public RetentionService(Function<RetentionListener, RetentionJob> job, LegalHolds holds, JobLease lease,
                            Clock clock, MeterRegistry registry) {
        this.holds = holds;
        this.lease = lease;
        this.clock = clock;
        for (AuditKind kind : AuditKind.values()) {
            dropped.put(kind, Counter.builder("datastorage.retention.records.dropped").tag("kind", kind.pathName())
                    .description("Records dropped by retention (whole expired months)").register(registry));
            AtomicLong months = new AtomicLong();
            blocked.put(kind, months);
            Gauge.builder("datastorage.retention.months.blocked", months, AtomicLong::get).tag("kind", kind.pathName())
                    .description("Expired months of the kind that legal holds keep, as of the last run or dry run")
                    .register(registry);
        }
        Gauge.builder("datastorage.legal.holds.active", activeHolds, AtomicLong::get)
                .description("Legal holds that block retention now (not released, not expired), as of the last run, "
                        + "dry run or change of a hold").register(registry);
        this.job = job.apply(new RetentionListener() {
            @Override
            public void planned(RetentionPlan plan) {
                observe(plan);
            }

            @Override
            public void dropped(AuditKind kind, YearMonth month, long records) {
                RetentionService.this.dropped.get(kind).increment(records);
                current.add(new RetentionPlan.Drop(kind, month, records));
            }
        });
        try {
            countActiveHolds();
        } catch (RuntimeException e) {
            log.debug("Could not count the active legal holds yet: {}", e.getMessage());
        }
    }

    /** What the next run would do now (the dry run); changes nothing. */
    public RetentionPlan plan() {
        RetentionPlan plan = job.plan();
        observe(plan);
        return plan;
    }

    /**
     * Runs retention now, on the caller's thread, and answers what it did.
     *
     * @throws RunningException           a run is under way on this replica
     * @throws LeaseHeldElsewhereException another replica holds the lease
     */
    public Run run() {
        if (!running.tryLock()) {
            throw new RunningException();
        }
        try {
            if (!lease.take()) {
                throw new LeaseHeldElsewhereException(job.name());
            }
            return runLeased();
        } finally {
            running.unlock();
        }
    }

    /** The scheduled run: skipped while a run is under way here or another replica holds the lease. */
    @Scheduled(initialDelayString = "${datastorage.retention.interval:1h}",
            fixedDelayString = "${datastorage.retention.interval:1h}")
    void scheduled() {
        if (stopping || !running.tryLock()) {
            return;
        }
        try {
            if (lease.take()) {
                runLeased();
            } else {
                log.debug("Retention skipped: another replica holds its lease");
            }
        } catch (RuntimeException e) {
            log.warn("Retention run failed; the next run goes on from what is stored: {}", e.getMessage());
        } finally {
            running.unlock();
        }
    }

    /** Under {@link #running} and the lease. */
    private Run runLeased() {
        current.clear();
        Instant at = clock.instant();
        job.runOnce(() -> !stopping && lease.take());
        RetentionPlan plan = lastPlan; // the run's own: it reports its plan first
        return new Run(at, List.copyOf(current), plan == null ? List.of() : plan.blocked());
    }

    private void observe(RetentionPlan plan) {
        lastPlan = plan;
        Map<AuditKind, Long> months = new EnumMap<>(AuditKind.class);
        plan.blocked().forEach(b -> months.merge(b.kind(), 1L, Long::sum));
        blocked.forEach((kind, gauge) -> gauge.set(months.getOrDefault(kind, 0L)));
        countActiveHolds();
    }

    private void countActiveHolds() {
        activeHolds.set(holds.list(false, clock.instant()).size());
    }

    /** Stores a hold asked for by {@code createdBy} (checked by the caller). */
    public LegalHold createHold(NewLegalHold hold, String createdBy) {
        LegalHold created = holds.create(hold, createdBy, clock.instant());
        countActiveHolds();
        return created;
    }

    /** Releases a hold; empty when no hold has {@code id}. */
    public Optional<LegalHold> releaseHold(UUID id, String releasedBy) {
        Optional<LegalHold> released = holds.release(id, releasedBy, clock.instant());
        countActiveHolds();
        return released;
    }

    /** The hold with {@code id}, active or not. */
    public Optional<LegalHold> hold(UUID id) {
        return holds.find(id);
    }

    /** The active holds, or every one when {@code all}. */
    public List<LegalHold> holds(boolean all) {
        return holds.list(all, clock.instant());
    }

    /** The current time, by which holds are judged active. */
    public Instant now() {
        return clock.instant();
    }

    @Override
    protected void stopRun() {
        stopping = true;
    }

    /** Hands the lease back, so another replica may take retention over at once. */
    @Override
    public void close() {
        stopping = true;
        try {
            lease.release();
        } catch (RuntimeException e) {
            log.warn("Could not hand back the retention lease; it lapses: {}", e.getMessage());
        }
    }
}
