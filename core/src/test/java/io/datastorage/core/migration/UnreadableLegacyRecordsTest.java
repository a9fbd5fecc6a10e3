package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.Component;
import io.datastorage.core.job.JobContext;
import io.datastorage.core.store.UnreadableRecordException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression: a legacy record its store cannot read (a damaged file or row) was passed over in
 * silence by the scans the sync validation and the backfill walk, so a validation called the stores
 * consistent (and the promotion gates let a move through) while the legacy store held a record the
 * new one could not be shown to equal, and a backfill counted it nowhere.
 */
class UnreadableLegacyRecordsTest {

    /** A legacy store some of whose records are damaged: its scans name them, its finds report them. */
    static final class Damaged extends ForwardingLegacyStore {
        private final Set<UUID> damaged;

        Damaged(LegacyStore store, Set<UUID> damaged) {
            super(store);
            this.damaged = damaged;
        }

        @Override
        public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
            LegacyPage page = super.scan(kind, after, limit);
            List<LegacyRecord> readable = new ArrayList<>();
            List<LegacyPage.Unreadable> unreadable = new ArrayList<>();
            for (LegacyRecord record : page.records()) {
                if (damaged.contains(record.id())) {
                    unreadable.add(new LegacyPage.Unreadable(Optional.of(record.id()), record.storageKey(), "damaged"));
                } else {
                    readable.add(record);
                }
            }
            return new LegacyPage(readable, page.next(), unreadable);
        }

        @Override
        public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
            if (damaged.contains(id)) {
                throw new UnreadableRecordException(Component.LEGACY_STORE, id, new IOException("damaged"));
            }
            return super.find(kind, id);
        }
    }

    @Test
    void anUnreadableLegacyRecordIsReportedAsUnreadableAndTheStoresAsNotConsistent() {
        SyncFixture sides = new SyncFixture();
        LegacyRecord heldByBoth = SyncFixture.record(1, SyncFixture.T0);
        LegacyRecord onlyInLegacy = SyncFixture.record(3, SyncFixture.T0.plusSeconds(1));
        sides.putOnBoth(SyncFixture.record(2, SyncFixture.T0));
        sides.putOnBoth(heldByBoth);
        sides.legacyStore.put(onlyInLegacy);
        LegacyStore legacy = new Damaged(sides.legacyStore, Set.of(heldByBoth.id(), onlyInLegacy.id()));

        SyncReport report = sides.validator(legacy, SyncValidator.Settings.DEFAULT).validate(SyncValidator.Progress.NONE);

        assertThat(report.consistent()).isFalse();
        assertThat(report.unreadable()).isEqualTo(2);
        assertThat(report.unreadableKeys()).containsExactlyInAnyOrder(heldByBoth.id().toString(),
                onlyInLegacy.id().toString());
        assertThat(report.differing()).as("not counted twice").isZero();
        assertThat(report.missingInNew()).isZero();
        assertThat(report.missingInLegacy()).isZero();
    }

    @Test
    void aRepairCopiesNothingFromAnUnreadableRecordAndLeavesItReported() {
        SyncFixture sides = new SyncFixture();
        LegacyRecord broken = SyncFixture.record(1, SyncFixture.T0);
        sides.legacyStore.put(broken);
        LegacyRecord missing = SyncFixture.record(2, SyncFixture.T0);
        sides.legacyStore.put(missing);
        LegacyStore legacy = new Damaged(sides.legacyStore, Set.of(broken.id()));

        SyncReport report = sides.validator(legacy, SyncValidator.Settings.DEFAULT)
                .validateAndRepair(MigrationSide.LEGACY, SyncValidator.Progress.NONE);

        assertThat(report.repaired()).isEqualTo(1);
        assertThat(report.missingInNew()).isEqualTo(1);
        assertThat(report.unreadable()).isEqualTo(1);
        assertThat(report.consistent()).isFalse();
        assertThat(sides.newStore.find(broken.kind(), broken.id())).isEmpty();
        assertThat(sides.newStore.find(missing.kind(), missing.id())).isPresent();
    }

    @Test
    void theExamplesOfUnreadableRecordsAreCappedLikeTheOtherCategories() {
        SyncFixture sides = new SyncFixture();
        Set<UUID> damaged = new java.util.HashSet<>();
        for (int n = 0; n < 6; n += 2) {
            LegacyRecord record = SyncFixture.record(n, SyncFixture.T0.plusSeconds(n));
            sides.legacyStore.put(record);
            damaged.add(record.id());
        }

        SyncReport report = sides.validator(new Damaged(sides.legacyStore, damaged),
                new SyncValidator.Settings(java.time.Duration.ofDays(1), 1, 2)).validate(SyncValidator.Progress.NONE);

        assertThat(report.unreadable()).isEqualTo(3);
        assertThat(report.unreadableKeys()).hasSize(2);
    }

    @Test
    void aBackfillCountsUnreadableRecordsGoesOnPastAPageOfThemAndCompletes() {
        BackfillFixture fixture = new BackfillFixture();
        List<LegacyRecord> records = BackfillFixture.records(0, 260);
        records.forEach(fixture.sides.legacyStore::put);
        // the first page of remediations (every even n) holds nothing readable
        Set<UUID> damaged = new java.util.HashSet<>();
        fixture.sides.legacyStore.scan(AuditKind.REMEDIATION, Optional.empty(), Backfill.PAGE_SIZE).records()
                .forEach(record -> damaged.add(record.id()));
        AtomicLong counted = new AtomicLong();
        Backfill backfill = new Backfill(BackfillSide.of(new Damaged(fixture.sides.legacyStore, damaged)),
                fixture.newSide, fixture.checkpoints, () -> 3, Backfill.MAX_RATE, fixture.sides.clock,
                new Backfill.Listener() {
                    @Override
                    public void counted(BackfillDirection direction, long copied, long skipped) {
                    }

                    @Override
                    public void unreadable(BackfillDirection direction, long unreadable) {
                        counted.addAndGet(unreadable);
                    }
                });
        List<Backfill.Progress> progress = new ArrayList<>();

        BackfillResult result = backfill.run(BackfillDirection.LEGACY_TO_NEW, JobContext.ALONE, progress::add);

        assertThat(result.complete()).isTrue();
        assertThat(result.scanned()).isEqualTo(260);
        assertThat(result.unreadable()).isEqualTo(Backfill.PAGE_SIZE);
        assertThat(result.copied()).isEqualTo(260 - Backfill.PAGE_SIZE);
        assertThat(result.skipped()).isZero();
        assertThat(counted.get()).isEqualTo(Backfill.PAGE_SIZE);
        assertThat(progress.getLast().unreadable()).isEqualTo(Backfill.PAGE_SIZE);
        assertThat(progress.getLast().ratio()).isEqualTo(1.0);
        for (LegacyRecord record : records) {
            assertThat(fixture.sides.newStore.find(record.kind(), record.id()).isPresent())
                    .as("record %s", record.id()).isEqualTo(!damaged.contains(record.id()));
        }
    }

    @Test
    void aBackfillNeverOverwritesATargetCopyItCannotReadAndCountsIt() {
        BackfillFixture fixture = new BackfillFixture();
        LegacyRecord record = BackfillFixture.record(0);
        fixture.sides.newSink.put(record);
        fixture.sides.legacyStore.put(record);
        Backfill backfill = new Backfill(fixture.newSide,
                BackfillSide.of(new Damaged(fixture.sides.legacyStore, Set.of(record.id()))), fixture.checkpoints,
                () -> 3, Backfill.MAX_RATE, fixture.sides.clock, Backfill.Listener.NONE);

        BackfillResult result = backfill.run(BackfillDirection.NEW_TO_LEGACY, JobContext.ALONE, p -> { });

        assertThat(result.complete()).isTrue();
        assertThat(result.unreadable()).isEqualTo(1);
        assertThat(result.copied()).isZero();
    }
}
