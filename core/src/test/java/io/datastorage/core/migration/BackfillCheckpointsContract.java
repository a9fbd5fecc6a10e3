package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link BackfillCheckpoints} keeps: one checkpoint per direction, exactly as given, until cleared. */
public abstract class BackfillCheckpointsContract {
    private static final Instant T0 = Instant.parse("2026-11-30T10:15:30.123456Z");

    /** An empty store. */
    protected abstract BackfillCheckpoints checkpoints();

    @Test
    void nothingIsKeptBeforeARunSavesOne() {
        BackfillCheckpoints checkpoints = checkpoints();

        assertThat(checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).isEmpty();
        assertThat(checkpoints.find(BackfillDirection.NEW_TO_LEGACY)).isEmpty();
    }

    @Test
    void eachDirectionKeepsItsNewestCheckpointExactlyAsSaved() {
        BackfillCheckpoints checkpoints = checkpoints();
        BackfillCheckpoint start = BackfillCheckpoint.start(BackfillDirection.LEGACY_TO_NEW, 4, T0, 1234);
        BackfillCheckpoint later = start.after(AuditKind.REMEDIATION,
                new LegacyPosition(Instant.parse("2026-01-02T03:04:05.000006Z"), "order-17 ü/ä"), 100, 90, 10)
                .startOf(AuditKind.WORKFLOW);
        BackfillCheckpoint further = later.after(AuditKind.WORKFLOW,
                new LegacyPosition(Instant.parse("2026-01-02T03:04:05.000007Z"), "0190f3a2-0000-7000-8000-000000000001"),
                100, 100, 0);
        BackfillCheckpoint back = BackfillCheckpoint.start(BackfillDirection.NEW_TO_LEGACY, 5, T0.plusSeconds(1), 0);

        checkpoints.save(start);
        assertThat(checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).contains(start);
        checkpoints.save(later);
        assertThat(checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).contains(later);
        assertThat(later.after()).isEmpty();
        checkpoints.save(further);
        checkpoints.save(back);

        assertThat(checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).contains(further);
        assertThat(further.after()).isPresent();
        assertThat(further.scanned()).isEqualTo(200);
        assertThat(checkpoints.find(BackfillDirection.NEW_TO_LEGACY)).contains(back);
    }

    @Test
    void theUnreadableRecordsMetAreKeptWithTheCheckpoint() {
        BackfillCheckpoints checkpoints = checkpoints();
        BackfillCheckpoint met = BackfillCheckpoint.start(BackfillDirection.LEGACY_TO_NEW, 2, T0, 10)
                .after(AuditKind.WORKFLOW, Optional.empty(), 3, 0, 0, 3)
                .after(AuditKind.WORKFLOW, Optional.of(new LegacyPosition(T0, "evt-9")), 5, 3, 0, 2);

        checkpoints.save(met);

        assertThat(checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).contains(met);
        assertThat(met.unreadable()).isEqualTo(5);
        assertThat(met.scanned()).isEqualTo(8);
    }

    @Test
    void clearingForgetsOnlyItsDirectionAndMayBeRepeated() {
        BackfillCheckpoints checkpoints = checkpoints();
        BackfillCheckpoint one = BackfillCheckpoint.start(BackfillDirection.LEGACY_TO_NEW, 1, T0, 10);
        BackfillCheckpoint other = BackfillCheckpoint.start(BackfillDirection.NEW_TO_LEGACY, 1, T0, 10);
        checkpoints.save(one);
        checkpoints.save(other);

        checkpoints.clear(BackfillDirection.LEGACY_TO_NEW);
        checkpoints.clear(BackfillDirection.LEGACY_TO_NEW);

        assertThat(checkpoints.find(BackfillDirection.LEGACY_TO_NEW)).isEmpty();
        assertThat(checkpoints.find(BackfillDirection.NEW_TO_LEGACY)).isEqualTo(Optional.of(other));
    }
}
