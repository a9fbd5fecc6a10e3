package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.job.BatchedJob;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The replay job over the in-memory queue and two in-memory sides that can be switched down. The
 * phase here is {@code DUAL_WRITE_NEW_PRIMARY}: records are written to the new side and queued for
 * the legacy one (the job is symmetric; one test goes the other way).
 */
class SecondaryWriteJobTest {
    private static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");
    private static final SecondaryWriteJob.Settings SETTINGS = new SecondaryWriteJob.Settings(10, Duration.ofMinutes(1),
            Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(10));

    private final ManualClock clock = new ManualClock(T0);
    private final InMemorySecondaryWriteQueue queue = new InMemorySecondaryWriteQueue(clock);
    private final InMemoryLegacyStore newSide = new InMemoryLegacyStore();
    private final InMemoryLegacyStore legacySide = new InMemoryLegacyStore();
    private final AtomicInteger legacyPuts = new AtomicInteger();
    private RecordSink legacySink = record -> {
        legacyPuts.incrementAndGet();
        legacySide.put(record);
    };

    private SecondaryWriteJob job() {
        return new SecondaryWriteJob(queue,
                Map.of(MigrationSide.NEW, RecordSource.of(newSide), MigrationSide.LEGACY, RecordSource.of(legacySide)),
                Map.of(MigrationSide.NEW, RecordSink.of(newSide), MigrationSide.LEGACY, record -> legacySink.put(record)),
                SETTINGS);
    }

    /** A record stored on the new side (the primary) and queued for the legacy side. */
    private LegacyRecord writtenToNewAndQueued() {
        LegacyRecord record = LegacyStoreContract.record(AuditKind.EXECUTION, T0);
        newSide.put(record);
        queue.enqueue(new SecondaryWrite(record.id(), record.kind(), MigrationSide.LEGACY, 2));
        return record;
    }

    /** Runs the job, letting the longest backoff pass before each run, until the queue is empty. */
    private void runUntilDrained(SecondaryWriteJob job) {
        for (int run = 0; run < 100 && queue.backlog().depth() > 0; run++) {
            clock.advance(SETTINGS.maxBackoff().multipliedBy(2));
            job.runOnce();
        }
        assertThat(queue.backlog()).isEqualTo(SecondaryWriteQueue.Backlog.EMPTY);
    }

    @Test
    void everyQueuedWriteLandsOnceTheSecondaryIsBackAfterBeingDownForAWhile() {
        List<LegacyRecord> records = new ArrayList<>();
        for (int i = 0; i < 35; i++) {
            records.add(writtenToNewAndQueued());
        }
        SecondaryWriteJob job = job();
        legacySide.down(true);

        for (int run = 0; run < 5; run++) { // down for five minutes of runs
            assertThat(job.runOnce()).isZero();
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(queue.backlog().depth()).as("nothing is lost while it is down").isEqualTo(35);
        assertThat(legacyPuts.get()).as("one call per run while the side is down, not one per entry").isEqualTo(5);

        legacySide.down(false);
        runUntilDrained(job);

        for (LegacyRecord record : records) {
            assertThat(legacySide.find(record.kind(), record.id())).get()
                    .satisfies(copy -> assertThat(copy.sameContentAs(record)).isTrue());
        }
        assertThat(legacySide.count(AuditKind.EXECUTION)).isEqualTo(35);
    }

    @Test
    void aWriteWhoseOutcomeWasUnknownIsReplayedAndLeavesExactlyOneCopy() {
        LegacyRecord record = writtenToNewAndQueued();
        AtomicInteger calls = new AtomicInteger();
        legacySink = copy -> {
            legacySide.put(copy); // it lands, but the answer is lost
            if (calls.incrementAndGet() == 1) {
                throw new LegacyStoreUnavailableException("connection reset after the write", null);
            }
        };
        SecondaryWriteJob job = job();

        assertThat(job.runOnce()).isZero();
        assertThat(queue.backlog().depth()).isEqualTo(1);
        runUntilDrained(job);

        assertThat(calls.get()).isEqualTo(2);
        assertThat(legacySide.count(AuditKind.EXECUTION)).isEqualTo(1);
        assertThat(legacySide.find(AuditKind.EXECUTION, record.id())).isPresent();
    }

    @Test
    void aFailedWriteIsDueAgainOnlyAfterItsBackoff() {
        writtenToNewAndQueued();
        legacySide.down(true);
        SecondaryWriteJob job = job();
        job.runOnce();
        legacySide.down(false);

        // The first backoff is 1 s with jitter of ±50 %.
        clock.advance(Duration.ofMillis(499));
        assertThat(job.runOnce()).isZero();
        assertThat(queue.backlog().depth()).isEqualTo(1);
        clock.advance(Duration.ofMillis(1002));
        assertThat(job.runOnce()).isEqualTo(1);
    }

    @Test
    void theBackoffGrowsWithTheAttemptsUpToItsBound() {
        writtenToNewAndQueued();
        legacySide.down(true);
        SecondaryWriteJob job = job();
        for (int attempt = 1; attempt <= 12; attempt++) {
            clock.advance(SETTINGS.maxBackoff().multipliedBy(2));
            job.runOnce();
        }
        // After a dozen failures the backoff is at its bound: not due within half of it, due after it.
        clock.advance(Duration.ofSeconds(29));
        assertThat(queue.claim(1, Duration.ofSeconds(1))).isEmpty();
        clock.advance(Duration.ofSeconds(32));
        assertThat(queue.claim(1, Duration.ofSeconds(1))).singleElement()
                .satisfies(entry -> {
                    assertThat(entry.attempt()).isEqualTo(13);
                    assertThat(entry.lastError()).contains("legacy store");
                });
    }

    @Test
    void aRecordThePrimaryDoesNotHoldIsRetriedThenDroppedAfterTheGrace() {
        UUID lost = UUID.randomUUID(); // its primary write failed after it was queued
        queue.enqueue(new SecondaryWrite(lost, AuditKind.WORKFLOW, MigrationSide.LEGACY, 2));
        SecondaryWriteJob job = job();

        assertThat(job.runOnce()).isZero();
        clock.advance(SETTINGS.missingGrace().minusSeconds(1));
        assertThat(job.runOnce()).isZero();
        assertThat(queue.backlog().depth()).as("retried within the grace").isEqualTo(1);

        clock.advance(SETTINGS.maxBackoff());
        assertThat(job.runOnce()).isEqualTo(1);

        assertThat(queue.backlog()).isEqualTo(SecondaryWriteQueue.Backlog.EMPTY);
        assertThat(legacyPuts.get()).isZero();
    }

    @Test
    void aConflictKeepsItsEntryWithTheErrorWhileTheRestOfTheBatchLands() {
        LegacyRecord record = writtenToNewAndQueued();
        LegacyRecord other = writtenToNewAndQueued();
        LegacyRecord changed = LegacyStoreContract.record(AuditKind.EXECUTION, record.id(), T0.plusSeconds(1));
        legacySide.put(changed); // the legacy side holds the record with other content

        assertThat(job().runOnce()).isEqualTo(1);

        assertThat(legacySide.find(AuditKind.EXECUTION, other.id())).isPresent();
        assertThat(legacySide.find(AuditKind.EXECUTION, record.id())).get()
                .satisfies(kept -> assertThat(kept.sameContentAs(changed)).as("never overwritten").isTrue());
        clock.advance(SETTINGS.maxBackoff().multipliedBy(2));
        assertThat(queue.claim(10, Duration.ofSeconds(1))).singleElement()
                .satisfies(entry -> assertThat(entry.lastError()).contains(record.id().toString(), "other content"));
    }

    @Test
    void writesOwedToTheNewSideAreReadFromTheLegacySide() {
        LegacyRecord record = LegacyStoreContract.record(AuditKind.AI_ANALYSIS, T0);
        legacySide.put(record);
        queue.enqueue(new SecondaryWrite(record.id(), record.kind(), MigrationSide.NEW, 1));

        assertThat(job().runOnce()).isEqualTo(1);

        assertThat(newSide.find(AuditKind.AI_ANALYSIS, record.id())).get()
                .satisfies(copy -> assertThat(copy.sameContentAs(record)).isTrue());
    }

    @Test
    void aRunStopsAfterItsBatchesAndTheNextRunGoesOn() {
        for (int i = 0; i < SETTINGS.batchSize() * SecondaryWriteJob.MAX_BATCHES_PER_RUN + 5; i++) {
            writtenToNewAndQueued();
        }
        SecondaryWriteJob job = job();

        assertThat(job.runOnce()).isEqualTo((long) SETTINGS.batchSize() * SecondaryWriteJob.MAX_BATCHES_PER_RUN);
        assertThat(job.runOnce(() -> false)).as("one batch, then the context says stop").isEqualTo(5);
        assertThat(job.name()).isEqualTo("secondary-writes");
        assertThat(job).isInstanceOf(BatchedJob.class);
    }

    @Test
    void twoReplicasReplayingOneQueueWriteEveryRecordOnce() throws Exception {
        List<LegacyRecord> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            records.add(writtenToNewAndQueued());
        }
        SecondaryWriteJob a = job();
        SecondaryWriteJob b = job();

        try (ExecutorService replicas = Executors.newFixedThreadPool(2)) {
            List<Future<?>> runs = new ArrayList<>();
            for (SecondaryWriteJob replica : List.of(a, b)) {
                runs.add(replicas.submit(() -> {
                    while (replica.runOnce() > 0) {
                        // go on while there is work
                    }
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }

        assertThat(queue.backlog()).isEqualTo(SecondaryWriteQueue.Backlog.EMPTY);
        assertThat(legacyPuts.get()).as("no entry was claimed by both while its claim lasted").isEqualTo(400);
        assertThat(legacySide.count(AuditKind.EXECUTION)).isEqualTo(records.size());
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> new SecondaryWriteJob.Settings(0, Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofSeconds(60), Duration.ofMinutes(10))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> new SecondaryWriteJob.Settings(10, Duration.ofMinutes(1), Duration.ofSeconds(10),
                Duration.ofSeconds(5), Duration.ofMinutes(10))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBackoff must be PT10S to a day, was PT5S");
        assertThatThrownBy(() -> new SecondaryWriteJob.Settings(10, Duration.ofMinutes(1), Duration.ofNanos(999_999),
                Duration.ofSeconds(5), Duration.ofMinutes(10))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initialBackoff must be at least 1 ms, was PT0.000999999S");
        assertThatThrownBy(() -> new SecondaryWriteJob.Settings(10, Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missingGrace");
    }
}
