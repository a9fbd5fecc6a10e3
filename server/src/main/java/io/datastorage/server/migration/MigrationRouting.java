package io.datastorage.server.migration;

import io.datastorage.core.ingest.RecordWriter;
import io.datastorage.core.migration.MigrationReads;
import io.datastorage.core.migration.MigrationRouter;

import java.util.Objects;
import java.util.Optional;

/**
 * How this service's requests reach the stores of a configured migration: writes through the
 * {@link MigrationRouter}, GET by id and listings through {@link MigrationReads} (the phase's
 * primary, shadow reads sampled). Both or neither: the router needs PostgreSQL's
 * {@link io.datastorage.core.migration.PhaseFence}, and until the store offers one, requests go to
 * PostgreSQL as without a migration ({@link #routed()} false), so that reads always find what
 * writes stored.
 */
public final class MigrationRouting {
    private final MigrationRouter router;
    private final MigrationReads reads;

    /** @param router {@code null}: not routed */
    MigrationRouting(MigrationRouter router, MigrationReads reads) {
        this.router = router;
        this.reads = Objects.requireNonNull(reads, "reads");
    }

    /** Whether requests are routed by phase. */
    public boolean routed() {
        return router != null;
    }

    /** The writer of the write use case: the router when routed, else {@code unrouted}. */
    public RecordWriter writer(RecordWriter unrouted) {
        return router != null ? router : unrouted;
    }

    /** The reads by phase when routed; empty: read PostgreSQL. */
    public Optional<MigrationReads> reads() {
        return router != null ? Optional.of(reads) : Optional.empty();
    }

    /** The reads by phase, for what reads both sides whether routed or not (the admin comparison, search's view). */
    public MigrationReads migrationReads() {
        return reads;
    }
}
