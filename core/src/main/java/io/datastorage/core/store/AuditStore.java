package io.datastorage.core.store;

/**
 * Only bundles the store's roles ({@link RecordStore}, {@link EmbeddingBacklog},
 * {@link IndexBacklog}, {@link VectorLedger}) for the users that still take the whole store; each
 * role states its own contract. New code depends on the role it needs.
 */
public interface AuditStore extends RecordStore, EmbeddingBacklog, IndexBacklog, VectorLedger {
}
