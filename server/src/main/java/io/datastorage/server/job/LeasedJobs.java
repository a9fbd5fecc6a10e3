package io.datastorage.server.job;

import io.datastorage.core.job.BackgroundJob;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.JobLeases;
import io.datastorage.core.job.LeasedJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Puts the server's background jobs under leases, so that of several replicas one runs each job
 * at a time, and counts their runs: {@code datastorage_job_runs_total{job, outcome}} with
 * {@code outcome} {@code ran} (this replica held the lease and ran), {@code skipped} (another
 * replica holds it) or {@code failed}, over the closed set of {@link #JOBS}.
 *
 * <p>One holder id per process ({@link io.datastorage.core.job.LeaseHolder#thisProcess()}); the
 * leases this process holds are handed back at shutdown, so another replica takes the jobs over at
 * once instead of after {@code datastorage.jobs.lease-duration}.
 */
public final class LeasedJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeasedJobs.class);

    /** Every job that runs under a lease: the {@code job} label's values. */
    public static final List<String> JOBS = List.of("index-repair", "embedding-repair", "index-catch-up", "reconcile",
            "integrity-seal", "integrity-verify",
            "partition-maintenance", "idempotency-purge", "secondary-writes", "migration-backfill",
            "migration-validate");
    /**
     * The jobs that exist only in some configurations (the secondary writes, the backfill and the sync
     * validation: with a legacy store): their series appear when the job is wired ({@link #leased},
     * {@link #lease}), so a service without them shows none.
     */
    private static final List<String> OPTIONAL = List.of("secondary-writes", "migration-backfill", "migration-validate");

    /** How one scheduled run ended. */
    public enum Outcome { RAN, SKIPPED, FAILED }

    private final JobLeases leases;
    private final String holder;
    private final Duration duration;
    private final MeterRegistry registry;
    private final List<LeasedJob> held = new CopyOnWriteArrayList<>();

    public LeasedJobs(JobLeases leases, String holder, Duration duration, MeterRegistry registry) {
        this.leases = Objects.requireNonNull(leases, "leases");
        this.holder = holder;
        this.duration = duration;
        this.registry = Objects.requireNonNull(registry, "registry");
        JOBS.stream().filter(job -> !OPTIONAL.contains(job)).forEach(this::registerCounters);
    }

    /** Every outcome's series of {@code job} at zero, so that a rate over it has a start. */
    private void registerCounters(String job) {
        for (Outcome outcome : Outcome.values()) {
            counter(job, outcome);
        }
    }

    /** This process's holder id. */
    public String holder() {
        return holder;
    }

    /** {@code job} under its lease, each run counted. */
    public BackgroundJob leased(BackgroundJob job) {
        String name = known(job.name());
        registerCounters(name);
        LeasedJob leased = new LeasedJob(job, leases, holder, duration);
        held.add(leased);
        return new BackgroundJob() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long runOnce() {
                OptionalLong handled;
                try {
                    handled = leased.runIfLeased();
                } catch (RuntimeException e) {
                    count(name, Outcome.FAILED);
                    throw e;
                }
                if (handled.isEmpty()) {
                    log.debug("Job {} skipped: another replica holds its lease", name);
                }
                count(name, handled.isPresent() ? Outcome.RAN : Outcome.SKIPPED);
                return handled.orElse(0);
            }

            @Override
            public String toString() {
                return leased.toString();
            }
        };
    }

    /** The lease of a job that takes and hands back its lease itself (the reconciliation). */
    public JobLease lease(String job) {
        registerCounters(known(job));
        return new JobLease(leases, known(job), holder, duration);
    }

    /** Counts a run of a job that takes its lease itself. */
    public void count(String job, Outcome outcome) {
        counter(job, outcome).increment();
    }

    private Counter counter(String job, Outcome outcome) {
        return Counter.builder("datastorage.job.runs").tag("job", job)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("Scheduled runs of the background jobs: ran here, skipped (another replica holds "
                        + "the lease) or failed").register(registry);
    }

    private static String known(String job) {
        if (!JOBS.contains(job)) {
            throw new IllegalArgumentException("not a job with a lease (" + String.join(", ", JOBS) + "): " + job);
        }
        return job;
    }

    /** Hands back the leases this process holds; one that cannot be handed back lapses. */
    @Override
    public void close() {
        for (LeasedJob job : held) {
            try {
                job.release();
            } catch (RuntimeException e) {
                log.warn("Could not hand back the lease of {}; it lapses: {}", job, e.getMessage());
            }
        }
    }
}
