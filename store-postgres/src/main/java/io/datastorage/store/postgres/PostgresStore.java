package io.datastorage.store.postgres;

import io.datastorage.core.job.JobLeases;
import io.datastorage.core.migration.PhaseFence;
import io.datastorage.core.migration.BackfillCheckpoints;
import io.datastorage.core.migration.MigrationRuns;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.retention.LegalHolds;
import io.datastorage.core.retention.RetentionStore;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.store.EmbeddingBacklog;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.VectorLedger;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.Objects;

/**
 * The audit store on PostgreSQL, by role: the one public way in to this module's store. Each
 * accessor returns the same object every time; all of them share one data source, one partition
 * cache and one count of unreadable records. Thread-safe.
 */
public final class PostgresStore {
    private final RecordStore records;
    private final EmbeddingBacklog embeddingBacklog;
    private final IndexBacklog indexBacklog;
    private final VectorLedger vectorLedger;
    private final SearchStore searchStore;
    private final PostgresMaintenance maintenance;
    private final JobLeases jobLeases;
    private final PhaseStore phaseStore;
    private final MigrationRuns migrationRuns;
    private final BackfillCheckpoints backfillCheckpoints;
    private final PostgresSecondaryWriteQueue secondaryWrites;
    private final PhaseFence phaseFence;
    private final PostgresRetention retention;
    private final PostgresLegalHolds legalHolds;
    private final PostgresIntegrity integrity;

    private PostgresStore(DataSource dataSource, Clock clock) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(clock, "clock");
        PartitionManager partitions = new PartitionManager(dataSource);
        RecordReader reader = new RecordReader();
        this.secondaryWrites = new PostgresSecondaryWriteQueue(dataSource);
        this.records = new PostgresRecords(dataSource, clock, partitions, reader, secondaryWrites);
        this.embeddingBacklog = new PostgresEmbeddingBacklog(dataSource);
        this.indexBacklog = new PostgresIndexBacklog(dataSource);
        this.vectorLedger = new PostgresVectorLedger(dataSource);
        this.searchStore = new PostgresSearchStore(dataSource, reader);
        this.maintenance = new PostgresMaintenance(dataSource, clock, partitions, reader);
        this.jobLeases = new PostgresJobLeases(dataSource);
        this.phaseStore = new PostgresPhaseStore(dataSource);
        this.migrationRuns = new PostgresMigrationRuns(dataSource);
        this.backfillCheckpoints = new PostgresBackfillCheckpoints(dataSource);
        this.phaseFence = new PostgresPhaseFence(dataSource, secondaryWrites);
        this.retention = new PostgresRetention(dataSource, partitions);
        this.legalHolds = new PostgresLegalHolds(dataSource);
        this.integrity = new PostgresIntegrity(dataSource);
    }

    /**
     * Opens the store on a migrated schema (see {@link PostgresSchema#migrate}) and creates the
     * partitions of the current month and {@code monthsAhead} more.
     */
    public static PostgresStore open(DataSource dataSource, Clock clock, int monthsAhead) {
        PostgresStore store = new PostgresStore(dataSource, clock);
        store.maintenance.partitionMonths(); // reads the partitions that exist
        store.maintenance.ensurePartitionsAhead(monthsAhead);
        return store;
    }

    /** Writes, reads by id, listings. */
    public RecordStore records() {
        return records;
    }

    /** The records waiting for their embedding. */
    public EmbeddingBacklog embeddingBacklog() {
        return embeddingBacklog;
    }

    /** The records waiting for their vector to be indexed. */
    public IndexBacklog indexBacklog() {
        return indexBacklog;
    }

    /** What the vector index should hold, for reconciliation and crash replay. */
    public VectorLedger vectorLedger() {
        return vectorLedger;
    }

    /** What semantic search reads: records by id and the newest embeddings for a degraded search. */
    public SearchStore searchStore() {
        return searchStore;
    }

    /** Partitions, the idempotency-key purge and the count of unreadable records. */
    public PostgresMaintenance maintenance() {
        return maintenance;
    }

    /** The leases under which background jobs run on one replica at a time. */
    public JobLeases jobLeases() {
        return jobLeases;
    }

    /** The migration phase, its version and history, shared by every replica. */
    public PhaseStore phaseStore() {
        return phaseStore;
    }

    /** The last finished backfills and sync validation of a migration, shared by every replica. */
    public MigrationRuns migrationRuns() {
        return migrationRuns;
    }

    /** The checkpoints of a migration's unfinished backfills, shared by every replica. */
    public BackfillCheckpoints backfillCheckpoints() {
        return backfillCheckpoints;
    }

    /**
     * The durable queue of writes owed to a migration's secondary side, shared by every replica; it
     * also enqueues inside a caller's transaction ({@link PostgresSecondaryWriteQueue#enqueue(java.sql.Connection, java.util.List)}).
     */
    public PostgresSecondaryWriteQueue secondaryWrites() {
        return secondaryWrites;
    }

    /**
     * The transaction a write runs in while the legacy store is the migration's primary: fenced to
     * the phase in {@link #phaseStore()}, keyed like {@link #records()}' writes, queueing on
     * {@link #secondaryWrites()}.
     */
    public PhaseFence phaseFence() {
        return phaseFence;
    }

    /** What retention reads and drops: expired months, the holds' coverage, pending index deletes. */
    public RetentionStore retention() {
        return retention;
    }

    /** The legal holds, shared by every replica. */
    public LegalHolds legalHolds() {
        return legalHolds;
    }

    /** The records' hash chains: sealing, and reading them for a verification. */
    public PostgresIntegrity integrity() {
        return integrity;
    }
}
