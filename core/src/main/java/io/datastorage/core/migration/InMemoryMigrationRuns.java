package io.datastorage.core.migration;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The runs kept in this process: for a service that runs as one process and for tests. */
public final class InMemoryMigrationRuns implements MigrationRuns {
    private final Map<BackfillDirection, BackfillResult> backfills = new EnumMap<>(BackfillDirection.class);
    private ValidationResult validation;

    @Override
    public synchronized void backfillFinished(BackfillResult result) {
        Objects.requireNonNull(result, "result");
        backfills.put(result.direction(), result);
    }

    @Override
    public synchronized Optional<BackfillResult> lastBackfill(BackfillDirection direction) {
        return Optional.ofNullable(backfills.get(Objects.requireNonNull(direction, "direction")));
    }

    @Override
    public synchronized void validationFinished(ValidationResult result) {
        validation = Objects.requireNonNull(result, "result");
    }

    @Override
    public synchronized Optional<ValidationResult> lastValidation() {
        return Optional.ofNullable(validation);
    }
}
