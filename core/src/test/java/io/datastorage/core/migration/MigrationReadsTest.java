package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reads from the primary, shadow reads on the secondary, the admin comparison and search's completeness. */
class MigrationReadsTest {

    private static List<UUID> write(RouterFixture fixture, int count) {
        MigrationRouter router = fixture.router(RouterFixture.settings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC));
        WriteResult result = router.write(fixture.records(count), null, Deadline.none());
        return result.receipts().stream().map(Receipt::id).toList();
    }

    /** Replaces the legacy copy by one whose name differs. */
    private static void alterOnLegacy(RouterFixture fixture, UUID id) {
        LegacyRecord stored = fixture.legacy.find(AuditKind.REMEDIATION, id).orElseThrow();
        Map<String, Object> document = new LinkedHashMap<>(stored.document());
        document.put("name", "altered");
        fixture.legacy.remove(AuditKind.REMEDIATION, id);
        fixture.legacy.put(new LegacyRecord(id, stored.kind(), stored.createdAt(), document, stored.legacyId()));
    }

    @Test
    void shadowReadsCountMatchMissingAndDiffersOnTheLegacySide() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        List<UUID> ids = write(fixture, 3);
        alterOnLegacy(fixture, ids.get(1));
        fixture.legacy.remove(AuditKind.REMEDIATION, ids.get(2));
        MigrationReads reads = fixture.reads(1.0, Runnable::run);

        for (UUID id : ids) {
            assertThat(reads.find(AuditKind.REMEDIATION, id)).as("read from the primary").isPresent();
        }

        assertThat(fixture.shadowReads(ShadowReadOutcome.MATCH)).isEqualTo(1);
        assertThat(fixture.shadowReads(ShadowReadOutcome.DIFFERS)).isEqualTo(1);
        assertThat(fixture.shadowReads(ShadowReadOutcome.MISSING)).isEqualTo(1);
        assertThat(fixture.shadowReads(ShadowReadOutcome.ERROR)).isZero();
    }

    @Test
    void aRecordAcknowledgedUnderTheLegacyPrimaryWhoseNewCopyIsStillQueuedIsReadableRightAfterTheMoveToTheNewPrimary() {
        // Fault test 6's read-your-writes: written under DUAL_WRITE_LEGACY_PRIMARY, its copy to PostgreSQL
        // failed (policy queue), then the phase moved on before the queue job ran.
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        List<UUID> ids = write(fixture, 2);
        fixture.newStore.forget(ids.get(0));
        fixture.newStore.forget(ids.get(1));
        fixture.queue.enqueue(new SecondaryWrite(ids.get(0), AuditKind.REMEDIATION, MigrationSide.NEW, 2));
        fixture.moveTo(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        MigrationReads reads = fixture.reads(0.0, Runnable::run);

        assertThat(reads.find(AuditKind.REMEDIATION, ids.get(0))).as("queued for the new primary: read from legacy")
                .hasValueSatisfying(record -> assertThat(record.id()).isEqualTo(ids.get(0)));
        assertThat(reads.find(AuditKind.REMEDIATION, ids.get(1))).as("not queued: the primary's answer stands").isEmpty();
    }

    @Test
    void aRecordStillQueuedForTheSecondaryIsPendingNotMissing() {
        // A race (async mode, or a secondary that failed under policy queue), not a disagreement.
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        List<UUID> ids = write(fixture, 2);
        fixture.legacy.remove(AuditKind.REMEDIATION, ids.get(0));
        fixture.legacy.remove(AuditKind.REMEDIATION, ids.get(1));
        fixture.queue.enqueue(new SecondaryWrite(ids.get(0), AuditKind.REMEDIATION, MigrationSide.LEGACY, 1));
        MigrationReads reads = fixture.reads(1.0, Runnable::run);

        ids.forEach(id -> assertThat(reads.find(AuditKind.REMEDIATION, id)).isPresent());

        assertThat(fixture.shadowReads(ShadowReadOutcome.PENDING)).isEqualTo(1);
        assertThat(fixture.shadowReads(ShadowReadOutcome.MISSING)).isEqualTo(1);
    }

    @Test
    void aListingReadsFromTheLegacyPrimaryAndShadowsEachItemOnTheNewSide() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
        List<UUID> ids = write(fixture, 3);
        fixture.newStore.forget(ids.get(0));
        MigrationReads reads = fixture.reads(1.0, Runnable::run);

        List<AuditRecord> items = reads.list(AuditQuery.builder().kind(AuditKind.REMEDIATION).build()).items();

        assertThat(items).extracting(AuditRecord::id).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(fixture.shadowReads(ShadowReadOutcome.MATCH)).isEqualTo(2);
        assertThat(fixture.shadowReads(ShadowReadOutcome.MISSING)).isEqualTo(1);
    }

    @Test
    void aSecondaryThatFailsCountsAnErrorAndTheReadIsAnsweredFromThePrimary() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        List<UUID> ids = write(fixture, 1);
        fixture.legacy.down(true);

        assertThat(fixture.reads(1.0, Runnable::run).find(AuditKind.REMEDIATION, ids.getFirst())).isPresent();
        assertThat(fixture.shadowReads(ShadowReadOutcome.ERROR)).isEqualTo(1);
    }

    @Test
    void aFullShadowExecutorDropsTheShadowReadAndCountsNothing() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        List<UUID> ids = write(fixture, 1);
        MigrationReads reads = fixture.reads(1.0, task -> {
            throw new RejectedExecutionException("full");
        });

        assertThat(reads.find(AuditKind.REMEDIATION, ids.getFirst())).isPresent();
        assertThat(fixture.shadowReads).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"LEGACY_ONLY", "NEW_ONLY"})
    void aSingleStorePhaseReadsItsStoreAndShadowsNothing(MigrationPhase phase) {
        RouterFixture fixture = new RouterFixture(phase);
        List<UUID> ids = write(fixture, 1);
        MigrationReads reads = fixture.reads(1.0, Runnable::run);

        assertThat(reads.find(AuditKind.REMEDIATION, ids.getFirst())).map(AuditRecord::id).contains(ids.getFirst());
        assertThat(reads.list(AuditQuery.builder().build()).items()).extracting(AuditRecord::id)
                .containsExactly(ids.getFirst());
        assertThat(fixture.shadowReads).isEmpty();
    }

    @Test
    void aRatioOfZeroShadowsNothing() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        List<UUID> ids = write(fixture, 3);

        ids.forEach(id -> fixture.reads(0, Runnable::run).find(AuditKind.REMEDIATION, id));
        assertThat(fixture.shadowReads).isEmpty();
    }

    @Test
    void compareNamesTheFieldsInWhichTheSidesDiffer() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        List<UUID> ids = write(fixture, 3);
        alterOnLegacy(fixture, ids.get(1));
        fixture.legacy.remove(AuditKind.REMEDIATION, ids.get(2));
        MigrationReads reads = fixture.reads(0, Runnable::run);

        MigrationReads.RecordComparison same = reads.compare(AuditKind.REMEDIATION, ids.get(0));
        MigrationReads.RecordComparison altered = reads.compare(AuditKind.REMEDIATION, ids.get(1));
        MigrationReads.RecordComparison missing = reads.compare(AuditKind.REMEDIATION, ids.get(2));

        assertThat(same.agree()).isTrue();
        assertThat(same.differences()).isEmpty();
        assertThat(same.legacy()).isPresent();
        assertThat(altered.agree()).isFalse();
        assertThat(altered.differences()).containsExactly("name");
        assertThat(missing.agree()).isFalse();
        assertThat(missing.legacy()).isEmpty();
        assertThat(missing.newSide()).isPresent();
    }

    @Test
    void theNewSideIsCompleteOnlyWhenItIsThePrimaryNothingIsOwedToItAndItsHistoryIsCopied() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.LEGACY_ONLY);
        boolean[] owed = {false};
        boolean[] copied = {true};
        int[] asked = {0};
        MigrationReads reads = new MigrationReads(fixture.watcher, fixture.newStore, fixture.legacy,
                MigrationSettings.defaults(), fixture.listener, Runnable::run, () -> owed[0], () -> {
                    asked[0]++;
                    return copied[0];
                }, (id, side) -> false);

        for (MigrationPhase phase : RouterFixture.LINE) {
            fixture.moveTo(phase);
            owed[0] = false;
            copied[0] = true;
            boolean primary = phase == MigrationPhase.DUAL_WRITE_NEW_PRIMARY || phase == MigrationPhase.NEW_ONLY;
            assertThat(reads.newSideComplete()).as("%s", phase).isEqualTo(primary);
            owed[0] = true;
            assertThat(reads.newSideComplete()).as("%s with writes owed to the new side", phase).isFalse();
            owed[0] = false;
            copied[0] = false;
            assertThat(reads.newSideComplete()).as("%s before a legacy-to-new backfill completed", phase).isFalse();
        }
        assertThat(asked[0]).as("the backfill is asked about only where PostgreSQL is the primary").isEqualTo(4);
    }

    @Test
    void settingsParseTheirPropertyValuesAndRefuseOthersNamingTheAllowedOnes() {
        assertThat(SecondaryPolicy.parse("queue")).isEqualTo(SecondaryPolicy.QUEUE);
        assertThat(SecondaryPolicy.parse(" FAIL ")).isEqualTo(SecondaryPolicy.FAIL);
        assertThat(SecondaryMode.parse("async")).isEqualTo(SecondaryMode.ASYNC);
        assertThat(SecondaryMode.SYNC.value()).isEqualTo("sync");
        assertThat(WriteOutcome.UNDONE.value()).isEqualTo("undone");
        assertThat(ShadowReadOutcome.DIFFERS.value()).isEqualTo("differs");
        assertThatThrownBy(() -> SecondaryPolicy.parse("retry")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retry").hasMessageContaining("queue, fail");
        assertThatThrownBy(() -> SecondaryMode.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sync, async");
        assertThat(MigrationSettings.defaults()).isEqualTo(new MigrationSettings(SecondaryPolicy.QUEUE,
                SecondaryMode.SYNC, 0.01, Duration.ofSeconds(5)));
        assertThatThrownBy(() -> new MigrationSettings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC, 1.5,
                Duration.ofSeconds(1))).hasMessageContaining("0..1");
        assertThatThrownBy(() -> new MigrationSettings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC, 0.5,
                Duration.ZERO)).hasMessageContaining("more than zero");
    }

    @Test
    void aListenerThatThrowsNeverChangesAnAnswer() {
        RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_NEW_PRIMARY);
        MigrationListener throwing = new MigrationListener() {
            @Override
            public void written(MigrationSide store, WriteOutcome outcome) {
                throw new IllegalStateException("metrics broke");
            }

            @Override
            public void shadowRead(ShadowReadOutcome outcome) {
                throw new IllegalStateException("metrics broke");
            }
        };
        MigrationRouter router = new MigrationRouter(fixture.watcher, fixture.coordinator, fixture.newStore,
                fixture.legacy, new InMemoryPhaseFence(fixture.phaseStore, fixture.queue), fixture.queue,
                MigrationSettings.defaults(), throwing);
        MigrationReads reads = new MigrationReads(fixture.watcher, fixture.newStore, fixture.legacy,
                new MigrationSettings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC, 1.0, Duration.ofSeconds(1)), throwing,
                Runnable::run);

        WriteResult result = router.write(fixture.records(1), null, Deadline.none());

        assertThat(reads.find(AuditKind.REMEDIATION, result.receipts().getFirst().id())).isPresent();
        assertThat(fixture.onLegacy()).containsExactly(result.receipts().getFirst().id());
    }
}
