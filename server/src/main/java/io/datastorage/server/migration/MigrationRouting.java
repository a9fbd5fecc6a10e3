package io.datastorage.server.migration;

import io.datastorage.core.ingest.RecordWriter;
import io.datastorage.core.migration.MigrationReads;
import io.datastorage.core.migration.MigrationRouter;

import java.util.Objects;

/**
 * How this service's requests reach the stores of a configured migration: writes through the
 * {@link MigrationRouter}, GET by id and listings through {@link MigrationReads} (the phase's
 * primary, shadow reads sampled). Both over the same phase watcher, so reads find what writes
 * stored. A bean only with a legacy store ({@link MigrationConfiguration}).
 */
public final class MigrationRouting {
    private final MigrationRouter router;
    private final MigrationReads reads;

    MigrationRouting(MigrationRouter router, MigrationReads reads) {
        this.router = Objects.requireNonNull(router, "router");
        this.reads = Objects.requireNonNull(reads, "reads");
    }

    /** The writer of the write use case. */
    public RecordWriter writer() {
        return router;
    }

    /** The reads by phase (and the admin comparison, and search's view of the new side). */
    public MigrationReads reads() {
        return reads;
    }
}
