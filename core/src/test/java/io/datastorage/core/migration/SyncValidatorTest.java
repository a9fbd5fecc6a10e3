package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.Component;
import io.datastorage.core.store.UnreadableRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The sync validator over in-memory sides: what it reports, what it repairs, what it leaves alone. */
class SyncValidatorTest {
    /** Windows of an hour, small pages, so that windows and pages both have edges to cross. */
    private static final SyncValidator.Settings SETTINGS = new SyncValidator.Settings(Duration.ofHours(1), 3, 10);
    private static final Instant DAY = Instant.parse("2026-11-19T00:00:00Z");

    private final SyncFixture fixture = new SyncFixture();

    /** Twenty records over two days, a few to an hour, some sharing a createdAt. */
    private List<LegacyRecord> twenty() {
        List<LegacyRecord> records = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            records.add(SyncFixture.record(n, DAY.plus(Duration.ofMinutes(150L * (n / 2))).plusNanos(1000L * (n % 2 == 0 ? 0 : 7))));
        }
        return records;
    }

    @Test
    void equalStoresAreConsistentAndEveryRecordIsCheckedWithProgressAfterEachWindow() {
        twenty().forEach(fixture::putOnBoth);
        List<long[]> progress = new ArrayList<>();

        SyncReport report = fixture.validator(SETTINGS).validate(
                (checked, windowsDone, windows) -> progress.add(new long[] {checked, windowsDone, windows}));

        assertThat(report.consistent()).isTrue();
        assertThat(report.checked()).isEqualTo(20);
        assertThat(report.missingInNew() + report.missingInLegacy() + report.differing() + report.repaired()).isZero();
        assertThat(report.startedAt()).isEqualTo(SyncFixture.T0);
        assertThat(progress).isNotEmpty();
        assertThat(progress.getLast()).containsExactly(20, progress.size(), progress.size());
    }

    @Test
    void aRecordMissingOnEachSideAndOneAlteredAreExactlyTheOnesReportedWhileSpellingIsNot() {
        List<LegacyRecord> records = twenty();
        LegacyRecord onlyLegacy = records.get(4);
        LegacyRecord onlyNew = records.get(9);
        LegacyRecord altered = records.get(12);
        LegacyRecord spelled = records.get(15); // an AI analysis: confidence 0.5 on one side, 0.50 on the other
        for (LegacyRecord record : records) {
            if (record == onlyLegacy) {
                fixture.legacyStore.put(record);
            } else if (record == onlyNew) {
                fixture.newSink.put(record);
            } else if (record == altered) {
                fixture.newSink.put(record);
                fixture.legacyStore.put(SyncFixture.record(12, record.createdAt(), "rr-changed", "0.5"));
            } else if (record == spelled) {
                fixture.newSink.put(record);
                fixture.legacyStore.put(SyncFixture.record(15, record.createdAt(), "rr-15", "0.50"));
            } else {
                fixture.putOnBoth(record);
            }
        }

        SyncReport report = fixture.validator(SETTINGS).validate(SyncValidator.Progress.NONE);

        assertThat(report.consistent()).isFalse();
        assertThat(report.checked()).isEqualTo(20);
        assertThat(report.missingInNew()).isEqualTo(1);
        assertThat(report.missingInNewIds()).containsExactly(onlyLegacy.id());
        assertThat(report.missingInLegacy()).isEqualTo(1);
        assertThat(report.missingInLegacyIds()).containsExactly(onlyNew.id());
        assertThat(report.differing()).isEqualTo(1);
        assertThat(report.differingIds()).containsExactly(altered.id());
        assertThat(report.repaired()).isZero();
    }

    @Test
    void repairFromThePrimaryPutsWhatTheOtherSideLacksAndNeverOverwritesNorDeletes() {
        List<LegacyRecord> records = twenty();
        LegacyRecord onlyLegacy = records.get(4);
        LegacyRecord onlyNew = records.get(9);
        LegacyRecord altered = records.get(12);
        LegacyRecord changed = SyncFixture.record(12, altered.createdAt(), "rr-changed", "0.5");
        for (LegacyRecord record : records) {
            if (record == onlyLegacy) {
                fixture.legacyStore.put(record);
            } else if (record == onlyNew) {
                fixture.newSink.put(record);
            } else if (record == altered) {
                fixture.newSink.put(record);
                fixture.legacyStore.put(changed);
            } else {
                fixture.putOnBoth(record);
            }
        }
        SyncValidator validator = fixture.validator(SETTINGS);

        SyncReport fromLegacy = validator.validateAndRepair(MigrationSide.LEGACY, SyncValidator.Progress.NONE);

        assertThat(fromLegacy.missingInNewIds()).containsExactly(onlyLegacy.id());
        assertThat(fromLegacy.repaired()).isEqualTo(1);
        assertThat(fromLegacy.consistent()).isFalse();
        assertThat(fixture.newStore.find(onlyLegacy.kind(), onlyLegacy.id())).isPresent();
        assertThat(fixture.legacyStore.find(onlyNew.kind(), onlyNew.id())).isEmpty(); // not the primary's: left reported

        SyncReport fromNew = validator.validateAndRepair(MigrationSide.NEW, SyncValidator.Progress.NONE);

        assertThat(fromNew.missingInNew()).isZero();
        assertThat(fromNew.missingInLegacyIds()).containsExactly(onlyNew.id());
        assertThat(fromNew.repaired()).isEqualTo(1);
        assertThat(fixture.legacyStore.find(onlyNew.kind(), onlyNew.id())).hasValueSatisfying(
                stored -> assertThat(stored.sameContentAs(onlyNew)).isTrue());

        SyncReport after = validator.validate(SyncValidator.Progress.NONE);

        assertThat(after.missingInNew() + after.missingInLegacy()).isZero();
        assertThat(after.differingIds()).containsExactly(altered.id());
        assertThat(after.consistent()).isFalse();
        assertThat(fixture.legacyStore.find(altered.kind(), altered.id())).hasValueSatisfying(
                stored -> assertThat(stored.sameContentAs(changed)).isTrue());
        assertThat(fixture.newStore.find(altered.kind(), altered.id()).map(MigrationRecords::toLegacy)).hasValueSatisfying(
                stored -> assertThat(stored.sameContentAs(altered)).isTrue());
        assertThat(fixture.newStore.ids()).hasSize(20);
    }

    @ParameterizedTest
    @EnumSource(MigrationPhase.class)
    void inEveryPhaseARecordOnlyOneSideHoldsIsReportedAndRepairedFromThatPhasesPrimaryOnly(MigrationPhase phase) {
        List<LegacyRecord> records = twenty();
        LegacyRecord onlyLegacy = records.get(3);
        LegacyRecord onlyNew = records.get(16);
        for (LegacyRecord record : records) {
            if (record == onlyLegacy) {
                fixture.legacyStore.put(record);
            } else if (record == onlyNew) {
                fixture.newSink.put(record);
            } else {
                fixture.putOnBoth(record);
            }
        }
        SyncValidator validator = fixture.validator(SETTINGS);

        SyncReport report = validator.validateAndRepair(phase.primary(), SyncValidator.Progress.NONE);

        assertThat(report.missingInNewIds()).containsExactly(onlyLegacy.id());
        assertThat(report.missingInLegacyIds()).containsExactly(onlyNew.id());
        assertThat(report.repaired()).isEqualTo(1);
        boolean legacyLeads = phase.primary() == MigrationSide.LEGACY;
        assertThat(fixture.newStore.find(onlyLegacy.kind(), onlyLegacy.id()).isPresent()).isEqualTo(legacyLeads);
        assertThat(fixture.legacyStore.find(onlyNew.kind(), onlyNew.id()).isPresent()).isEqualTo(!legacyLeads);
        SyncReport after = validator.validate(SyncValidator.Progress.NONE);
        assertThat(after.missingInNew() + after.missingInLegacy()).as("the one the secondary only holds stays reported")
                .isEqualTo(1);
    }

    @Test
    void aRecordTheQueueHoldsAWriteOfForTheSideThatLacksItIsOnItsWayNotMissing() {
        List<LegacyRecord> records = twenty();
        LegacyRecord queued = records.get(5);
        LegacyRecord lost = records.get(11);
        records.forEach(record -> {
            if (record == queued || record == lost) {
                fixture.legacyStore.put(record);
            } else {
                fixture.putOnBoth(record);
            }
        });
        SyncValidator.InFlight inFlight = new SyncValidator.InFlight(
                (id, target) -> id.equals(queued.id()) && target == MigrationSide.NEW, Duration.ZERO);

        SyncReport report = new SyncValidator(fixture.legacyStore, fixture.newStore, fixture.newSink, SETTINGS,
                fixture.clock, inFlight).validate(SyncValidator.Progress.NONE);

        assertThat(report.missingInNewIds()).containsExactly(lost.id());
    }

    @Test
    void aMissingRecordWhoseSecondWriteLandsWithinTheSettleTimeIsNotReportedWhileOneThatNeverLandsIs() {
        List<LegacyRecord> records = twenty();
        LegacyRecord landing = records.get(2);
        LegacyRecord lost = records.get(13);
        records.forEach(record -> {
            if (record == landing || record == lost) {
                fixture.newSink.put(record); // the new side leads; the legacy copy of `landing` is still being put
            } else {
                fixture.putOnBoth(record);
            }
        });
        List<Integer> readings = new ArrayList<>();
        LegacyStore slowSecondary = new ForwardingLegacyStore(fixture.legacyStore) {
            @Override
            public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
                if (id.equals(landing.id())) {
                    readings.add(1);
                    if (readings.size() == 2) { // its write lands between the first re-reading and the last
                        fixture.legacyStore.put(landing);
                    }
                }
                return super.find(kind, id);
            }
        };
        SyncValidator.InFlight inFlight = new SyncValidator.InFlight((id, target) -> false, Duration.ofMillis(20));

        SyncReport report = new SyncValidator(slowSecondary, fixture.newStore, fixture.newSink, SETTINGS, fixture.clock,
                inFlight).validateAndRepair(MigrationSide.NEW, SyncValidator.Progress.NONE);

        assertThat(report.missingInLegacyIds()).containsExactly(lost.id());
        assertThat(report.repaired()).isEqualTo(1);
        assertThat(report.consistent()).isTrue();
        assertThat(readings).hasSize(2);
    }

    @Test
    void aRecordWrittenToTheOtherSideBetweenTheWindowPassAndTheRecheckIsNotReported() {
        List<LegacyRecord> records = twenty();
        LegacyRecord inFlight = records.get(7);
        for (LegacyRecord record : records) {
            if (record == inFlight) {
                fixture.legacyStore.put(record); // its secondary write lands while the validator runs
            } else {
                fixture.putOnBoth(record);
            }
        }
        LegacyStore writesLand = new ForwardingLegacyStore(fixture.legacyStore) {
            @Override
            public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
                if (id.equals(inFlight.id())) {
                    fixture.newSink.put(inFlight);
                }
                return super.find(kind, id);
            }
        };

        SyncReport report = fixture.validator(writesLand, SETTINGS).validate(SyncValidator.Progress.NONE);

        assertThat(report.consistent()).isTrue();
        assertThat(report.missingInNew()).isZero();
        assertThat(report.checked()).isEqualTo(20);
    }

    @Test
    void examplesAreCappedWhileTheCountsAreNot() {
        List<LegacyRecord> records = twenty();
        records.forEach(fixture.legacyStore::put);

        SyncReport report = fixture.validator(new SyncValidator.Settings(Duration.ofDays(1), 1000, 2))
                .validate(SyncValidator.Progress.NONE);

        assertThat(report.missingInNew()).isEqualTo(20);
        assertThat(report.missingInNewIds()).hasSize(2);
    }
    @Test
    void aRepairTheOtherSideRefusesLeavesTheRecordReportedAndUnrepaired() {
        LegacyRecord valid = SyncFixture.record(1, DAY);
        Map<String, Object> document = new LinkedHashMap<>(SyncFixture.record(2, DAY).document());
        document.remove("namespace"); // the new side validates what it stores: this one it refuses
        LegacyRecord invalid = new LegacyRecord(UUID.nameUUIDFromBytes(new byte[] {2}), AuditKind.REMEDIATION, DAY,
                document, null);
        fixture.legacyStore.put(valid);
        fixture.legacyStore.put(invalid);

        SyncReport report = fixture.validator(SETTINGS).validateAndRepair(MigrationSide.LEGACY, SyncValidator.Progress.NONE);

        assertThat(report.missingInNew()).isEqualTo(2);
        assertThat(report.repaired()).isEqualTo(1);
        assertThat(report.consistent()).isFalse();
        assertThat(fixture.newStore.ids()).containsExactly(valid.id());
    }

    @Test
    void aRecordOneSideHoldsButCannotReadIsReportedAsDifferingAndTheRunGoesOn() {
        List<LegacyRecord> records = twenty();
        LegacyRecord unreadable = records.get(5);
        LegacyRecord onlyLegacy = records.get(16);
        for (LegacyRecord record : records) {
            if (record == unreadable) {
                fixture.newSink.put(record); // the legacy side's copy cannot be read: its scan leaves it out
            } else if (record == onlyLegacy) {
                fixture.legacyStore.put(record);
            } else {
                fixture.putOnBoth(record);
            }
        }
        LegacyStore damaged = new ForwardingLegacyStore(fixture.legacyStore) {
            @Override
            public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
                if (id.equals(unreadable.id())) {
                    throw new UnreadableRecordException(Component.LEGACY_STORE, id, new IllegalStateException("bad JSON"));
                }
                return super.find(kind, id);
            }
        };

        SyncReport report = fixture.validator(damaged, SETTINGS).validateAndRepair(MigrationSide.NEW,
                SyncValidator.Progress.NONE);

        assertThat(report.differingIds()).containsExactly(unreadable.id());
        assertThat(report.missingInNewIds()).containsExactly(onlyLegacy.id());
        assertThat(report.repaired()).isZero();
        assertThat(report.consistent()).isFalse();
    }
}
