package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.job.InMemoryJobLeases;
import io.datastorage.core.job.JobLease;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.store.AuditRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The backfill over in-memory sides: what it copies, what it never does, and how it resumes. */
class BackfillTest {
    private final BackfillFixture fixture = new BackfillFixture();

    @Test
    void legacyToNewCopiesEveryRecordTheNewSideLacksEmbeddedAndSkipsTheOnesItHolds() {
        List<LegacyRecord> records = BackfillFixture.records(0, 250);
        records.forEach(fixture.sides.legacyStore::put);
        records.subList(0, 40).forEach(fixture.sides.newSink::put); // written live in a dual phase already

        BackfillResult result = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(result.complete()).isTrue();
        assertThat(result.error()).isEmpty();
        assertThat(result.scanned()).isEqualTo(250);
        assertThat(result.copied()).isEqualTo(210);
        assertThat(result.skipped()).isEqualTo(40);
        assertThat(result.phaseVersion()).isEqualTo(3);
        assertThat(fixture.sides.allNew().keySet()).containsExactlyInAnyOrderElementsOf(
                records.stream().map(LegacyRecord::id).toList());
        for (LegacyRecord record : records) {
            assertThat(fixture.sides.allNew().get(record.id()).sameContentAs(record)).as("record %s", record.id()).isTrue();
        }
        AuditRecord copied = fixture.sides.newStore.find(records.get(100).kind(), records.get(100).id()).orElseThrow();
        assertThat(copied.embedded()).as("embedded through the pipeline").isTrue();
        assertThat(copied.legacyId()).isEqualTo(records.get(100).legacyId());
        assertThat(fixture.model.calls()).allSatisfy(call -> assertThat(call.size()).isLessThanOrEqualTo(NewBackfillSide.MAX_BATCH));
        assertThat(fixture.checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).as("cleared at the end").isEmpty();
    }

    @Test
    void newToLegacyCopiesEveryRecordTheLegacySideLacks() {
        List<LegacyRecord> records = BackfillFixture.records(0, 130);
        records.forEach(fixture.sides.newSink::put);
        records.subList(0, 10).forEach(fixture.sides.legacyStore::put);

        BackfillResult result = fixture.run(BackfillDirection.NEW_TO_LEGACY);

        assertThat(result.complete()).isTrue();
        assertThat(result.direction()).isEqualTo(BackfillDirection.NEW_TO_LEGACY);
        assertThat(result.copied()).isEqualTo(120);
        assertThat(result.skipped()).isEqualTo(10);
        assertThat(fixture.sides.allLegacy()).hasSize(130);
        for (LegacyRecord record : records) {
            assertThat(fixture.sides.allLegacy().get(record.id()).sameContentAs(record)).isTrue();
        }
    }

    @Test
    void aSecondRunCopiesNothingAndChangesNothing() {
        BackfillFixture.records(0, 120).forEach(fixture.sides.legacyStore::put);
        fixture.run(BackfillDirection.LEGACY_TO_NEW);
        Map<UUID, LegacyRecord> after = fixture.sides.allNew();

        BackfillResult again = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(again.complete()).isTrue();
        assertThat(again.copied()).isZero();
        assertThat(again.skipped()).isEqualTo(120);
        assertThat(fixture.sides.allNew()).isEqualTo(after);
    }

    @Test
    void aRecordTheTargetHoldsWithOtherContentIsNeverOverwritten() {
        LegacyRecord original = BackfillFixture.record(4);
        LegacyRecord newer = SyncFixture.record(4, original.createdAt(), "rr-written-live", "0.5");
        fixture.sides.legacyStore.put(original);
        fixture.sides.newSink.put(newer);
        BackfillFixture.records(5, 20).forEach(fixture.sides.legacyStore::put);

        BackfillResult result = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(result.complete()).isTrue();
        assertThat(result.skipped()).isEqualTo(1);
        assertThat(result.copied()).isEqualTo(15);
        assertThat(fixture.sides.allNew().get(original.id()).document().get("name")).isEqualTo("rr-written-live");
    }

    @Test
    void aConflictThatAppearsBetweenTheCheckAndThePutCostsOnlyItsOwnRecord() {
        List<LegacyRecord> records = BackfillFixture.records(0, 30);
        records.forEach(fixture.sides.legacyStore::put);
        LegacyRecord raced = records.get(7);
        fixture.beforePut = batch -> {
            if (batch.contains(raced) && fixture.sides.newStore.find(raced.kind(), raced.id()).isEmpty()) {
                fixture.sides.newSink.put(SyncFixture.record(7, raced.createdAt(), "rr-live", "0.5"));
            }
        };

        BackfillResult result = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(result.copied()).isEqualTo(29);
        assertThat(result.skipped()).isEqualTo(1);
        assertThat(fixture.sides.allNew()).hasSize(30);
        assertThat(fixture.sides.allNew().get(raced.id()).document().get("name")).isEqualTo("rr-live");
    }

    @Test
    void aRecordRemovedFromTheSourceBeforeItsPageIsReadIsNotCopied() {
        List<LegacyRecord> records = BackfillFixture.records(0, 150);
        records.forEach(fixture.sides.legacyStore::put);
        LegacyRecord late = records.get(141); // an AI analysis: scanned after every remediation
        fixture.beforePut = batch -> fixture.sides.legacyStore.remove(late.kind(), late.id());

        BackfillResult result = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(result.complete()).isTrue();
        assertThat(result.scanned()).isEqualTo(149);
        assertThat(fixture.sides.allNew()).doesNotContainKey(late.id()).hasSize(149);
    }

    @Test
    void aRecordRemovedFromTheSourceBetweenTheReadAndThePutIsRemovedAgainFromTheTarget() {
        List<LegacyRecord> records = BackfillFixture.records(0, 60);
        records.forEach(fixture.sides.legacyStore::put);
        LegacyRecord removed = records.get(10);
        fixture.beforePut = batch -> {
            if (batch.contains(removed)) {
                fixture.sides.legacyStore.remove(removed.kind(), removed.id()); // retention, after the scan read it
            }
        };

        BackfillResult result = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(result.complete()).isTrue();
        assertThat(result.copied()).isEqualTo(59);
        assertThat(result.skipped()).isEqualTo(1);
        assertThat(fixture.sides.newStore.find(removed.kind(), removed.id())).as("not resurrected").isEmpty();
        assertThat(fixture.sides.allNew()).hasSize(59);
    }

    @Test
    void theLastRecordOfAPageRemovedWhileItWasCopiedIsRemovedAgainToo() {
        List<LegacyRecord> records = BackfillFixture.records(0, 600); // 300 remediations: pages of 100, 100, 100
        records.forEach(fixture.sides.legacyStore::put);
        LegacyRecord last = fixture.sides.legacyStore.scan(AuditKind.REMEDIATION, java.util.Optional.empty(), 100)
                .records().getLast();
        fixture.beforePut = batch -> {
            if (batch.contains(last)) {
                fixture.sides.legacyStore.remove(last.kind(), last.id());
            }
        };

        BackfillResult result = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(result.copied()).isEqualTo(599);
        assertThat(fixture.sides.newStore.find(last.kind(), last.id())).isEmpty();
        assertThat(fixture.sides.allNew()).hasSize(599);
    }

    @Test
    void newToLegacyNeverResurrectsARecordRemovedFromTheNewSideWhileItWasCopied() {
        List<LegacyRecord> records = BackfillFixture.records(0, 40);
        records.forEach(fixture.sides.newSink::put);
        LegacyRecord removed = records.get(3);
        fixture.beforePut = batch -> {
            if (batch.contains(removed)) {
                fixture.sides.newStore.undo(List.of(new io.datastorage.core.store.Receipt(removed.id(), removed.kind(),
                        "c", "t", false, false)), null);
            }
        };

        BackfillResult result = fixture.run(BackfillDirection.NEW_TO_LEGACY);

        assertThat(result.copied()).isEqualTo(39);
        assertThat(fixture.sides.legacyStore.find(removed.kind(), removed.id())).isEmpty();
    }

    @Test
    void aRunThatStopsResumesFromItsCheckpointNotFromTheStart() {
        List<LegacyRecord> records = BackfillFixture.records(0, 500); // 250 remediations, 250 AI analyses
        records.forEach(fixture.sides.legacyStore::put);
        AtomicInteger pages = new AtomicInteger();

        assertThatThrownBy(() -> fixture.backfill().run(BackfillDirection.LEGACY_TO_NEW,
                () -> pages.incrementAndGet() <= 4, progress -> { }))
                .isInstanceOf(CancellationException.class);
        BackfillCheckpoint checkpoint = fixture.checkpoints.find(BackfillDirection.LEGACY_TO_NEW).orElseThrow();
        assertThat(checkpoint.scanned()).isEqualTo(350);
        assertThat(checkpoint.kind()).isEqualTo(AuditKind.AI_ANALYSIS);
        assertThat(checkpoint.total()).isEqualTo(500);
        fixture.scans.clear();
        fixture.sides.clock.advance(Duration.ofMinutes(5));

        BackfillResult result = fixture.run(BackfillDirection.LEGACY_TO_NEW);

        assertThat(fixture.scans.getFirst()).as("the first read after the restart: from the checkpoint")
                .isEqualTo(new BackfillFixture.Scan(AuditKind.AI_ANALYSIS, checkpoint.after(), 100));
        assertThat(fixture.scans).as("nothing before the checkpoint is read again")
                .noneMatch(scan -> scan.kind() == AuditKind.REMEDIATION);
        assertThat(result.complete()).isTrue();
        assertThat(result.scanned()).isEqualTo(500);
        assertThat(result.copied()).isEqualTo(500);
        assertThat(result.startedAt()).as("the first start").isEqualTo(checkpoint.startedAt());
        assertThat(result.finishedAt()).isAfter(result.startedAt());
        assertThat(fixture.sides.allNew()).hasSize(500);
    }

    @Test
    void progressIsToldAfterEachPageUpToTheTotalAndCountsReachTheListener() {
        BackfillFixture.records(0, 230).forEach(fixture.sides.legacyStore::put);
        BackfillFixture.records(0, 30).forEach(fixture.sides.newSink::put);
        List<Backfill.Progress> progress = new ArrayList<>();
        AtomicLong copied = new AtomicLong();
        AtomicLong skipped = new AtomicLong();

        fixture.backfill((direction, c, s) -> {
            copied.addAndGet(c);
            skipped.addAndGet(s);
        }).run(BackfillDirection.LEGACY_TO_NEW, () -> true, progress::add);

        assertThat(progress.getFirst()).isEqualTo(new Backfill.Progress(0, 0, 0, 230));
        assertThat(progress.getLast()).isEqualTo(new Backfill.Progress(230, 200, 30, 230));
        assertThat(progress.getLast().ratio()).isEqualTo(1.0);
        assertThat(progress).extracting(Backfill.Progress::scanned).isSorted();
        assertThat(copied).hasValue(200);
        assertThat(skipped).hasValue(30);
    }

    @Test
    void aStoreThatFailsEndsTheRunIncompleteNamingItAndTheNextRunStartsOver() {
        BackfillFixture.records(0, 300).forEach(fixture.sides.legacyStore::put);
        AtomicInteger pages = new AtomicInteger();
        Backfill backfill = fixture.backfill();

        BackfillResult failed = backfill.run(BackfillDirection.LEGACY_TO_NEW, () -> {
            if (pages.incrementAndGet() == 2) {
                fixture.sides.legacyStore.down(true);
            }
            return true;
        }, progress -> { });

        assertThat(failed.complete()).isFalse();
        assertThat(failed.error()).get().asString().isNotBlank();
        assertThat(failed.scanned()).isEqualTo(100);
        assertThat(fixture.checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).isEmpty();
        fixture.sides.legacyStore.down(false);
        BackfillResult again = fixture.run(BackfillDirection.LEGACY_TO_NEW);
        assertThat(again.complete()).isTrue();
        assertThat(again.scanned()).isEqualTo(300);
        assertThat(again.copied()).isEqualTo(200);
        assertThat(fixture.sides.allNew()).hasSize(300);
    }

    @Test
    void anEmptySourceCompletesAtOnce() {
        BackfillResult result = fixture.run(BackfillDirection.NEW_TO_LEGACY);

        assertThat(result.complete()).isTrue();
        assertThat(result.scanned()).isZero();
    }

    @Test
    void theRateMustBeWithinItsBounds() {
        assertThatThrownBy(() -> new Backfill(fixture.legacySide, fixture.newSide, fixture.checkpoints, () -> 1, 0,
                fixture.sides.clock, Backfill.Listener.NONE)).hasMessageContaining("1..1000000");
        assertThatThrownBy(() -> new Backfill(fixture.legacySide, fixture.newSide, fixture.checkpoints, () -> 1,
                1_000_001, fixture.sides.clock, Backfill.Listener.NONE)).hasMessageContaining("1..1000000");
    }

    // --- the job: one run at a time, joined, leased, kept ---

    @Test
    void theJobJoinsTheRunOfTheSameDirectionRefusesTheOtherAndKeepsTheResult() throws Exception {
        BackfillFixture.records(0, 120).forEach(fixture.sides.legacyStore::put);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        fixture.beforePut = batch -> {
            inside.countDown();
            await(go);
        };
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            BackfillJob job = new BackfillJob(fixture.backfill(), fixture.runs, runner, BackfillJob.Listener.NONE, null);
            CompletableFuture<BackfillResult> first = job.start(BackfillDirection.LEGACY_TO_NEW);
            assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

            assertThat(job.start(BackfillDirection.LEGACY_TO_NEW)).isSameAs(first);
            assertThatThrownBy(() -> job.start(BackfillDirection.NEW_TO_LEGACY))
                    .isInstanceOf(BackfillRunningException.class).hasMessageContaining("legacy-to-new");
            assertThat(job.status().running()).isTrue();
            assertThat(job.status().direction()).isEqualTo(BackfillDirection.LEGACY_TO_NEW);
            go.countDown();

            BackfillResult result = first.get(10, TimeUnit.SECONDS);
            assertThat(result.copied()).isEqualTo(120);
            assertThat(fixture.runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW)).contains(result);
            assertThat(job.status().running()).isFalse();
        } finally {
            go.countDown();
            runner.shutdownNow();
        }
    }

    @Test
    void underALeaseHeldElsewhereTheJobDoesNotRunAndTheWorkerResumesOnlyAnUnfinishedRun() {
        BackfillFixture.records(0, 150).forEach(fixture.sides.legacyStore::put);
        InMemoryJobLeases leases = new InMemoryJobLeases(fixture.sides.clock);
        JobLease other = new JobLease(leases, BackfillJob.NAME, "other-replica", Duration.ofMinutes(1));
        BackfillJob job = new BackfillJob(fixture.backfill(), fixture.runs, Runnable::run, BackfillJob.Listener.NONE,
                new JobLease(leases, BackfillJob.NAME, "this-replica", Duration.ofMinutes(1)));

        assertThat(job.runOnce()).as("nothing unfinished").isZero();
        assertThat(other.take()).isTrue();
        assertThatThrownBy(() -> job.run(BackfillDirection.LEGACY_TO_NEW)).isInstanceOf(LeaseHeldElsewhereException.class);
        other.release();

        AtomicInteger pages = new AtomicInteger();
        assertThatThrownBy(() -> fixture.backfill().run(BackfillDirection.LEGACY_TO_NEW, () -> pages.incrementAndGet() <= 1,
                progress -> { })).isInstanceOf(CancellationException.class);
        assertThat(job.runOnce()).as("the unfinished run ended: what it copied in all").isEqualTo(150);
        assertThat(fixture.runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW)).get()
                .satisfies(result -> assertThat(result.complete()).isTrue());
        assertThat(job.runOnce()).isZero();
        assertThat(other.take()).as("the lease was handed back").isTrue();
    }

    @Test
    void aStoppedJobEndsItsRunAtTheNextPageKeepingTheCheckpoint() {
        BackfillFixture.records(0, 300).forEach(fixture.sides.legacyStore::put);
        BackfillJob[] job = new BackfillJob[1];
        AtomicInteger puts = new AtomicInteger();
        fixture.beforePut = batch -> {
            if (puts.incrementAndGet() == 2) {
                job[0].stop();
            }
        };
        job[0] = new BackfillJob(fixture.backfill(), fixture.runs, Runnable::run, BackfillJob.Listener.NONE, null);

        assertThatThrownBy(() -> job[0].run(BackfillDirection.LEGACY_TO_NEW)).isInstanceOf(CancellationException.class);

        assertThat(fixture.checkpoints.find(BackfillDirection.LEGACY_TO_NEW).orElseThrow().scanned()).isEqualTo(150);
        assertThat(fixture.runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW)).isEmpty();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
