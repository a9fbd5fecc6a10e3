package io.datastorage.core.migration;

/** The runs contract on the in-process store. */
class InMemoryMigrationRunsTest extends MigrationRunsContract {
    @Override
    protected MigrationRuns runs() {
        return new InMemoryMigrationRuns();
    }
}
