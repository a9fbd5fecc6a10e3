package io.datastorage.core.store;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.index.SliceDigest;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The store's four roles as one object, for tests that drive a whole store ({@link
 * InMemoryAuditStore} plays every role; {@link #of} bundles the roles of another store). Not an
 * SPI: production code depends on the role it needs ({@link RecordStore}, {@link
 * EmbeddingBacklog}, {@link IndexBacklog}, {@link VectorLedger}), each with its own contract.
 */
public interface AuditStore extends RecordStore, EmbeddingBacklog, IndexBacklog, VectorLedger {

    /** One object playing the given roles, each call delegated to its role. */
    static AuditStore of(RecordStore records, EmbeddingBacklog embeddings, IndexBacklog index, VectorLedger ledger) {
        return new Bundle(records, embeddings, index, ledger);
    }

    /** Delegates each role's methods to that role. */
    record Bundle(RecordStore records, EmbeddingBacklog embeddings, IndexBacklog index, VectorLedger ledger)
            implements AuditStore {

        @Override
        public WriteResult write(List<NewRecord> drafts, IdempotencyToken token, BeforeCommit beforeCommit,
                                 MigrationTerms terms) {
            return records.write(drafts, token, beforeCommit, terms);
        }

        @Override
        public void undo(List<Receipt> receipts, IdempotencyToken token) {
            records.undo(receipts, token);
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
        public Optional<Instant> firstCreatedAt(AuditKind kind, Instant notBefore) {
            return records.firstCreatedAt(kind, notBefore);
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
