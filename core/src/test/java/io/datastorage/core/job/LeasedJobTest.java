package io.datastorage.core.job;

import io.datastorage.core.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two replicas, played by two holders on one set of leases, scheduling the same job. */
class LeasedJobTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));
    private final JobLeases leases = new InMemoryJobLeases(clock);

    /** A job of {@code batches} batches that records who ran each and runs {@code duringBatch} inside each. */
    private static final class Batches implements BatchedJob {
        final List<String> log = new ArrayList<>();
        final int batches;
        Runnable duringBatch = () -> { };
        String runner;

        Batches(int batches) {
            this.batches = batches;
        }

        @Override
        public String name() {
            return "index-repair";
        }

        @Override
        public long runOnce(JobContext context) {
            long done = 0;
            for (int i = 0; i < batches; i++) {
                if (i > 0 && !context.mayContinue()) {
                    break;
                }
                log.add(runner + ":" + i);
                duringBatch.run();
                done++;
            }
            return done;
        }
    }

    /** The same job as seen by two replicas. */
    private LeasedJob on(String holder, Batches job) {
        return new LeasedJob(new BatchedJob() {
            @Override
            public String name() {
                return job.name();
            }

            @Override
            public long runOnce(JobContext context) {
                job.runner = holder;
                return job.runOnce(context);
            }
        }, leases, holder, LEASE);
    }

    @Test
    void ofTwoHoldersOfOneJobOnlyOneRunsIt() {
        Batches job = new Batches(1);
        LeasedJob a = on("a", job);
        LeasedJob b = on("b", job);

        assertThat(a.runOnce()).isEqualTo(1);
        assertThat(b.runOnce()).isZero();
        assertThat(a.runOnce()).isEqualTo(1);
        assertThat(b.runOnce()).isZero();

        assertThat(job.log).containsExactly("a:0", "a:0");
    }

    @Test
    void aSecondHolderDoesNotStartWhileTheFirstRuns() {
        Batches job = new Batches(3);
        LeasedJob a = on("a", job);
        LeasedJob b = on("b", job);
        List<Long> tries = new ArrayList<>();
        job.duringBatch = () -> tries.add(b.runOnce());

        assertThat(a.runOnce()).isEqualTo(3);

        assertThat(tries).containsExactly(0L, 0L, 0L);
        assertThat(job.log).containsExactly("a:0", "a:1", "a:2");
    }

    @Test
    void aRunLongerThanTheLeaseKeepsItByRenewingBetweenBatches() {
        Batches job = new Batches(4);
        LeasedJob a = on("a", job);
        LeasedJob b = on("b", job);
        List<Long> tries = new ArrayList<>();
        job.duringBatch = () -> {
            clock.advance(LEASE.multipliedBy(2).dividedBy(3)); // each batch within the lease, the run longer
            tries.add(b.runOnce());
        };

        assertThat(a.runOnce()).isEqualTo(4);

        assertThat(tries).containsOnly(0L);
        assertThat(job.log).hasSize(4).allMatch(entry -> entry.startsWith("a:"));
    }

    @Test
    void anotherHolderTakesOverOnceTheLeaseExpired() {
        Batches job = new Batches(1);
        LeasedJob a = on("a", job);
        LeasedJob b = on("b", job);
        a.runOnce();

        clock.advance(LEASE.plusSeconds(1)); // replica a stopped scheduling (or died)

        assertThat(b.runOnce()).isEqualTo(1);
        assertThat(a.runOnce()).isZero();
        assertThat(job.log).containsExactly("a:0", "b:0");
    }

    @Test
    void aHolderThatLostTheLeaseStopsBeforeItsNextBatch() {
        Batches job = new Batches(5);
        LeasedJob a = on("a", job);
        Batches other = new Batches(1);
        LeasedJob b = on("b", other);
        job.duringBatch = () -> {
            if (job.log.size() == 2) {
                clock.advance(LEASE.plusSeconds(1)); // a batch that overran the lease
                assertThat(b.runOnce()).isEqualTo(1);
            }
        };

        assertThat(a.runOnce()).isEqualTo(2);

        assertThat(job.log).containsExactly("a:0", "a:1");
        assertThat(other.log).containsExactly("b:0");
    }

    @Test
    void aReleasedLeaseLetsAnotherHolderRunAtOnce() {
        Batches job = new Batches(1);
        LeasedJob a = on("a", job);
        LeasedJob b = on("b", job);
        a.runOnce();

        a.release();

        assertThat(b.runOnce()).isEqualTo(1);
    }

    @Test
    void aPlainJobRunsUnderTheLeaseAsAWhole() {
        List<String> runs = new ArrayList<>();
        BackgroundJob plain = new BackgroundJob() {
            @Override
            public String name() {
                return "reconcile";
            }

            @Override
            public long runOnce() {
                runs.add("ran");
                return 7;
            }
        };

        assertThat(new LeasedJob(plain, leases, "a", LEASE).runOnce()).isEqualTo(7);
        assertThat(new LeasedJob(plain, leases, "b", LEASE).runOnce()).isZero();
        assertThat(runs).hasSize(1);
    }

    @Test
    void aFailingLeaseStoreFailsTheRunWithoutRunningTheJob() {
        Batches job = new Batches(1);
        JobLeases down = new JobLeases() {
            @Override
            public boolean acquire(String name, String holder, Duration duration) {
                throw new IllegalStateException("lease store down");
            }

            @Override
            public void release(String name, String holder) {
            }
        };

        assertThatThrownBy(() -> new LeasedJob(job, down, "a", LEASE).runOnce()).hasMessage("lease store down");
        assertThat(job.log).isEmpty();
    }

    @Test
    void theHolderOfThisProcessNamesItsHostAndPid() {
        assertThat(LeaseHolder.thisProcess()).contains("/" + ProcessHandle.current().pid() + "/")
                .isEqualTo(LeaseHolder.thisProcess());
        assertThat(new LeasedJob(new Batches(1), leases, LeaseHolder.thisProcess(), LEASE).name()).isEqualTo("index-repair");
    }
}
