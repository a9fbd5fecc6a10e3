package io.datastorage.core.migration;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which way a backfill copies history: from the legacy store into the new one, or back (the second
 * copies what was written in {@link MigrationPhase#NEW_ONLY} to the legacy store before a step back;
 * a validation with repair from the primary does the same, and is what the README recommends).
 */
public enum BackfillDirection {
    LEGACY_TO_NEW("legacy-to-new", MigrationSide.LEGACY, MigrationSide.NEW),
    NEW_TO_LEGACY("new-to-legacy", MigrationSide.NEW, MigrationSide.LEGACY);

    private final String value;
    private final MigrationSide source;
    private final MigrationSide target;

    BackfillDirection(String value, MigrationSide source, MigrationSide target) {
        this.value = value;
        this.source = source;
        this.target = target;
    }

    /** The API and metric value: {@code legacy-to-new} or {@code new-to-legacy}. */
    public String value() {
        return value;
    }

    /** The side records are read from. */
    public MigrationSide source() {
        return source;
    }

    /** The side records are copied to. */
    public MigrationSide target() {
        return target;
    }

    /**
     * @param value {@code legacy-to-new} or {@code new-to-legacy}, exactly
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static BackfillDirection parse(String value) {
        for (BackfillDirection direction : values()) {
            if (direction.value.equals(value)) {
                return direction;
            }
        }
        throw new IllegalArgumentException("backfill direction '" + value + "' is not one of "
                + Arrays.stream(values()).map(BackfillDirection::value).collect(Collectors.joining(", ")));
    }
}
