package io.datastorage.server.integrity;

import io.datastorage.core.integrity.ChainVerifier;
import io.datastorage.core.integrity.IntegrityReport;
import io.datastorage.core.integrity.IntegrityStore;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.server.job.LeasedJobs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Verifications of the hash chains ({@link ChainVerifier}), one at a time across the replicas:
 * a run holds the {@code integrity-verify} lease, renewed after each page it walks; asked while
 * another replica verifies, it ends at once with {@link LeaseHeldElsewhereException} (409), and
 * while this replica verifies with {@link RunningException} (409). Keeps the last report and the
 * progress of the run under way, and the metrics: {@code datastorage_integrity_verified_records_total},
 * {@code datastorage_integrity_broken_chains} (of the last run), {@code datastorage_integrity_unsealed_records}
 * (now), and every run in {@code datastorage_job_runs_total{job="integrity-verify"}}.
 */
public class IntegrityService {
    private static final Logger log = LoggerFactory.getLogger(IntegrityService.class);
    static final String JOB = "integrity-verify";

    /** A verification is under way in this replica. */
    public static final class RunningException extends RuntimeException {
        RunningException() {
            super("a verification of the hash chains is under way");
        }
    }

    /** How far the run under way is. */
    public record Progress(boolean full, long recordsVerified, long recordsTotal) {
    }

    private final ChainVerifier verifier;
    private final JobLease lease;
    private final LeasedJobs leased;
    private final Counter verifiedRecords;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReference<Progress> progress = new AtomicReference<>();
    private final AtomicReference<IntegrityReport> last = new AtomicReference<>();
    private final AtomicLong brokenChains = new AtomicLong();

    public IntegrityService(ChainVerifier verifier, IntegrityStore store, LeasedJobs leased, MeterRegistry registry) {
        this.verifier = verifier;
        this.leased = leased;
        this.lease = leased.lease(JOB);
        this.verifiedRecords = Counter.builder("datastorage.integrity.verified.records")
                .description("Links of the hash chains recomputed and found to hold").register(registry);
        Gauge.builder("datastorage.integrity.broken.chains", brokenChains, AtomicLong::get)
                .description("Chains the last verification found broken").register(registry);
        Gauge.builder("datastorage.integrity.unsealed.records", store, s -> {
            try {
                return s.unsealedCount();
            } catch (RuntimeException e) {
                return Double.NaN; // the database is down: no figure rather than a wrong one
            }
        }).description("Records not sealed into their hash chain yet").register(registry);
    }

    /**
     * Verifies every chain, from its checkpoint or ({@code full}) from its start.
     *
     * @throws RunningException            a verification is under way here
     * @throws LeaseHeldElsewhereException another replica verifies
     */
    public IntegrityReport verify(boolean full) {
        if (!running.compareAndSet(false, true)) {
            throw new RunningException();
        }
        try {
            if (!lease.take()) {
                leased.count(JOB, LeasedJobs.Outcome.SKIPPED);
                throw new LeaseHeldElsewhereException(JOB);
            }
            try {
                progress.set(new Progress(full, 0, 0));
                IntegrityReport report = verifier.verify(full, new ChainVerifier.Listener() {
                    @Override
                    public void started(long total) {
                        progress.set(new Progress(full, 0, total));
                    }

                    @Override
                    public void verified(long records) {
                        verifiedRecords.increment(records);
                        progress.updateAndGet(p -> new Progress(full, p.recordsVerified() + records, p.recordsTotal()));
                        lease.take(); // renewed after each page, so a long run keeps it
                    }
                });
                last.set(report);
                brokenChains.set(report.broken().size());
                leased.count(JOB, LeasedJobs.Outcome.RAN);
                log.info("Integrity verification ({}): {} chain(s), {} record(s), {} broken", full ? "full" : "incremental",
                        report.chains(), report.records(), report.broken().size());
                return report;
            } catch (RuntimeException e) {
                leased.count(JOB, LeasedJobs.Outcome.FAILED);
                throw e;
            } finally {
                lease.release();
            }
        } finally {
            progress.set(null);
            running.set(false);
        }
    }

    /** The run under way in this replica, if any. */
    public Optional<Progress> progress() {
        return Optional.ofNullable(progress.get());
    }

    /** The last report of this replica, if it verified since it started. */
    public Optional<IntegrityReport> lastReport() {
        return Optional.ofNullable(last.get());
    }
}
