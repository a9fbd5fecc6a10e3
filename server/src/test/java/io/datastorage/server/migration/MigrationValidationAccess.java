package io.datastorage.server.migration;

/** The periodic run of {@link MigrationValidation}, for tests that cannot wait for its interval. */
public final class MigrationValidationAccess {
    private MigrationValidationAccess() {
    }

    /** Runs what the schedule runs; whether the phase let it validate. */
    public static boolean scheduled(MigrationValidation validation) {
        return validation.scheduled();
    }
}
