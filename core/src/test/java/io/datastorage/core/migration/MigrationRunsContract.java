package io.datastorage.core.migration;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link MigrationRuns} keeps: the newest finished run of each kind, exactly as given. */
public abstract class MigrationRunsContract {
    private static final Instant T0 = Instant.parse("2026-11-30T10:15:30.123456Z");

    /** An empty store. */
    protected abstract MigrationRuns runs();

    @Test
    void nothingIsKeptBeforeTheFirstRunFinishes() {
        MigrationRuns runs = runs();

        assertThat(runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW)).isEmpty();
        assertThat(runs.lastBackfill(BackfillDirection.NEW_TO_LEGACY)).isEmpty();
        assertThat(runs.lastValidation()).isEmpty();
    }

    @Test
    void eachDirectionKeepsItsOwnNewestBackfill() {
        MigrationRuns runs = runs();
        BackfillResult failed = new BackfillResult(BackfillDirection.LEGACY_TO_NEW, 2, T0, T0.plusSeconds(5), false,
                10, 4, 1, Optional.of("the legacy store is unreachable"));
        BackfillResult done = new BackfillResult(BackfillDirection.LEGACY_TO_NEW, 3, T0.plusSeconds(60),
                T0.plusSeconds(90), true, 1000, 990, 10, Optional.empty());
        BackfillResult back = new BackfillResult(BackfillDirection.NEW_TO_LEGACY, 3, T0, T0, true, 0, 0, 0,
                Optional.empty());

        runs.backfillFinished(failed);
        assertThat(runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW)).contains(failed);
        runs.backfillFinished(done);
        runs.backfillFinished(back);

        assertThat(runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW)).contains(done);
        assertThat(runs.lastBackfill(BackfillDirection.NEW_TO_LEGACY)).contains(back);
    }

    @Test
    void theUnreadableRecordsOfARunAreKeptWithTheirExampleIdsOrKeys() {
        MigrationRuns runs = runs();
        BackfillResult backfill = new BackfillResult(BackfillDirection.LEGACY_TO_NEW, 2, T0, T0.plusSeconds(5), true,
                10, 8, 0, 2, Optional.empty());
        ValidationResult validation = new ValidationResult(3, true, T0.plusSeconds(9), new SyncReport(10, 0, 0, 0, 0,
                false, 2000, T0.plusSeconds(7), List.of(), List.of(), List.of(), 2,
                List.of(UUID.randomUUID().toString(), "workflow/2026/11/a file with ü.json")));

        runs.backfillFinished(backfill);
        runs.validationFinished(validation);

        assertThat(runs.lastBackfill(BackfillDirection.LEGACY_TO_NEW)).contains(backfill);
        assertThat(runs.lastValidation()).contains(validation);
    }

    @Test
    void theNewestValidationReplacesTheOneBeforeWithItsExampleIds() {
        MigrationRuns runs = runs();
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        ValidationResult differing = new ValidationResult(4, false, T0.plusMillis(1500), new SyncReport(100, 1, 1, 1, 0,
                false, 1500, T0, List.of(a), List.of(b), List.of(c)));
        ValidationResult repaired = new ValidationResult(5, true, T0.plusSeconds(9), new SyncReport(100, 0, 0, 0, 2,
                true, 2000, T0.plusSeconds(7), List.of(), List.of(), List.of()));

        runs.validationFinished(differing);
        assertThat(runs.lastValidation()).contains(differing);
        runs.validationFinished(repaired);

        assertThat(runs.lastValidation()).contains(repaired);
    }
}
