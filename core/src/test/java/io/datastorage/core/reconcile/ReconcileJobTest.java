package io.datastorage.core.reconcile;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.embedding.RecordingEmbedder;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.job.InMemoryJobLeases;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.NewRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One reconciliation at a time, whoever asks; its progress, last report and last error. */
class ReconcileJobTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);
    private static final int RECORDS = 20;

    private final InMemoryAuditStore store = new InMemoryAuditStore(CLOCK);
    private final SwitchableIndex index = new SwitchableIndex(new InMemoryVectorIndex(RecordingEmbedder.DIMENSION));
    private final ExecutorService runner = Executors.newSingleThreadExecutor();
    private final Queue<Object> told = new ConcurrentLinkedQueue<>();
    private final ReconcileJob job = new ReconcileJob(new Reconciler(store, store, index, new InFlightWrites(), 2, 5, Duration.ofMinutes(2), CLOCK),
            runner, CLOCK, new ReconcileJob.Listener() {
        @Override
        public void succeeded(ReconcileReport report) {
            told.add(report);
        }

        @Override
        public void failed(RuntimeException cause) {
            told.add(cause);
        }
    });
    private final CountDownLatch upserting = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stopRunner() throws InterruptedException {
        release.countDown();
        runner.shutdown();
        assertThat(runner.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    /** Records the store has marked indexed that the index lacks (as after losing its last writes). */
    private void missingFromTheIndex() {
        List<NewRecord> records = IntStream.range(0, RECORDS).mapToObj(i -> new NewRecord(
                VALIDATOR.validate(AuditKind.REMEDIATION, AuditFixtures.remediation("r-" + i, "2026-11-20T10:00:00Z")),
                RecordingEmbedder.vectorOf("r-" + i))).toList();
        store.write(records, null);
        store.completeIndex(store.pendingIndex(RECORDS));
    }

    /** The first upsert of a run waits until the test releases it. */
    private void holdTheFirstUpsert() {
        index.duringUpsert(() -> {
            upserting.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void repairsWhatDiffersAndKeepsTheReport() {
        missingFromTheIndex();

        assertThat(job.runOnce()).isEqualTo(RECORDS);

        ReconcileReport report = job.lastReport().orElseThrow();
        assertThat(report.missing()).isEqualTo(RECORDS);
        assertThat(index.count()).isEqualTo(RECORDS);
        assertThat(told).containsExactly(report);
        assertThat(job.status().running()).isFalse();
        assertThat(job.status().lastReport()).isEqualTo(report);
        assertThat(job.progress()).isEqualTo(1.0);
        assertThat(job.runOnce()).as("a second run finds nothing").isZero();
    }

    @Test
    void askingDuringARunJoinsIt() throws InterruptedException {
        missingFromTheIndex();
        holdTheFirstUpsert();

        CompletableFuture<ReconcileReport> first = job.start();
        assertThat(upserting.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<ReconcileReport> second = job.start();
        ReconcileJob.Status during = job.status();
        release.countDown();

        assertThat(second).isSameAs(first);
        assertThat(during.running()).isTrue();
        assertThat(during.runningSince()).isEqualTo(CLOCK.instant());
        assertThat(during.slicesTotal()).isPositive();
        assertThat(first.join().repaired()).isEqualTo(RECORDS);
        assertThat(told).hasSize(1);
    }

    @Test
    void aFailedRunIsThrownToTheCallerAndKeptAsTheLastError() {
        missingFromTheIndex();
        index.down(true);

        assertThatThrownBy(job::run).isInstanceOf(IndexUnavailableException.class);

        ReconcileJob.Status status = job.status();
        assertThat(status.running()).isFalse();
        assertThat(status.lastError()).contains("switched down");
        assertThat(status.lastErrorAt()).isEqualTo(CLOCK.instant());
        assertThat(told).singleElement().isInstanceOf(IndexUnavailableException.class);
        assertThat(store.countPendingIndex()).isZero();
    }

    @Test
    void stoppingEndsARunBetweenSlicesAndKeepsWhatItRepaired() throws InterruptedException {
        missingFromTheIndex();
        holdTheFirstUpsert();

        CompletableFuture<ReconcileReport> run = job.start();
        assertThat(upserting.await(30, TimeUnit.SECONDS)).isTrue();
        job.stop();
        release.countDown();

        assertThat(run).failsWithin(30, TimeUnit.SECONDS).withThrowableThat().havingRootCause()
                .isInstanceOf(CancellationException.class);
        assertThat(index.count()).isBetween(1L, RECORDS - 1L);
        assertThatThrownBy(job::run).as("and every later run").isInstanceOf(CancellationException.class);
    }

    @Test
    void underALeaseHeldByAnotherReplicaARunEndsAtOnceWithoutFailingAndAfterARunTheLeaseIsHandedBack() {
        missingFromTheIndex();
        InMemoryJobLeases leases = new InMemoryJobLeases(CLOCK);
        ReconcileJob leased = new ReconcileJob(new Reconciler(store, store, index, new InFlightWrites(), 2, 5,
                Duration.ofMinutes(2), CLOCK), runner, CLOCK, ReconcileJob.Listener.NONE,
                new JobLease(leases, "reconcile", "here", Duration.ofMinutes(1)));
        leases.acquire("reconcile", "elsewhere", Duration.ofMinutes(1));

        assertThatThrownBy(leased::run).isInstanceOf(LeaseHeldElsewhereException.class);
        assertThat(leased.status().running()).isFalse();
        assertThat(leased.status().lastError()).as("nothing failed").isNull();
        assertThat(index.upserts()).isZero();

        leases.release("reconcile", "elsewhere");
        assertThat(leased.run().missing()).isEqualTo(RECORDS);
        assertThat(leases.acquire("reconcile", "elsewhere", Duration.ofMinutes(1)))
                .as("the lease is free again once the run ended").isTrue();
    }
}
