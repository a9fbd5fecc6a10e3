package io.datastorage.store.postgres;

import io.datastorage.core.index.SliceDigest;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.EmbeddingBacklog;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.IndexBacklog;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.PendingEmbedding;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.VectorLedger;
import io.datastorage.core.store.WriteResult;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

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
    private final AuditStore auditStore;

    private PostgresStore(DataSource dataSource, Clock clock) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(clock, "clock");
        PartitionManager partitions = new PartitionManager(dataSource);
        RecordReader reader = new RecordReader();
        this.records = new PostgresRecords(dataSource, clock, partitions, reader);
        this.embeddingBacklog = new PostgresEmbeddingBacklog(dataSource);
        this.indexBacklog = new PostgresIndexBacklog(dataSource);
        this.vectorLedger = new PostgresVectorLedger(dataSource);
        this.searchStore = new PostgresSearchStore(dataSource, reader);
        this.maintenance = new PostgresMaintenance(dataSource, clock, partitions, reader);
        this.auditStore = new Bundle(records, embeddingBacklog, indexBacklog, vectorLedger);
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

    /**
     * The four roles as one {@link AuditStore}, for the users that still take the whole store;
     * it goes when {@link AuditStore} does.
     */
    public AuditStore auditStore() {
        return auditStore;
    }

    /** Delegates each role's methods to that role. */
    private record Bundle(RecordStore records, EmbeddingBacklog embeddings, IndexBacklog index, VectorLedger ledger)
            implements AuditStore {

        @Override
        public WriteResult write(List<NewRecord> drafts, IdempotencyToken token, BeforeCommit beforeCommit) {
            return records.write(drafts, token, beforeCommit);
        }

        @Override
        public Optional<AuditRecord> find(AuditKind kind, UUID id) {
            return records.find(kind, id);
        }

        @Override
        public AuditPage list(AuditQuery query) {
            return records.list(query);
        }

        @Override
        public List<PendingEmbedding> pendingEmbeddings(int limit) {
            return embeddings.pendingEmbeddings(limit);
        }

        @Override
        public int completeEmbeddings(Map<PendingEmbedding, float[]> completed) {
            return embeddings.completeEmbeddings(completed);
        }

        @Override
        public long countPendingEmbeddings() {
            return embeddings.countPendingEmbeddings();
        }

        @Override
        public List<IndexableRecord> pendingIndex(int limit) {
            return index.pendingIndex(limit);
        }

        @Override
        public int completeIndex(List<IndexableRecord> indexed) {
            return index.completeIndex(indexed);
        }

        @Override
        public long countPendingIndex() {
            return index.countPendingIndex();
        }

        @Override
        public Optional<Instant> oldestPendingIndex() {
            return index.oldestPendingIndex();
        }

        @Override
        public SliceDigest vectorDigest(int bits) {
            return ledger.vectorDigest(bits);
        }

        @Override
        public Map<UUID, Long> vectorFingerprints(int slice, int bits) {
            return ledger.vectorFingerprints(slice, bits);
        }

        @Override
        public List<IndexableRecord> indexable(Collection<UUID> ids) {
            return ledger.indexable(ids);
        }

        @Override
        public List<IndexableRecord> indexedSince(Instant since, IndexableRecord after, int limit) {
            return ledger.indexedSince(since, after, limit);
        }
    }
}
