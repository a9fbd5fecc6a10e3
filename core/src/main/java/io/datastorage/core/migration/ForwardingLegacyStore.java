package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Base of the legacy stores that wrap another (counters, fault switches in tests): every call passes
 * to the wrapped store; a subclass overrides only what it changes.
 */
public abstract class ForwardingLegacyStore implements LegacyStore {
    private final LegacyStore store;

    protected ForwardingLegacyStore(LegacyStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public PutOutcome put(LegacyRecord record) {
        return store.put(record);
    }

    @Override
    public boolean remove(AuditKind kind, UUID id) {
        return store.remove(kind, id);
    }

    @Override
    public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
        return store.find(kind, id);
    }

    @Override
    public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
        return store.scan(kind, after, limit);
    }

    @Override
    public long count(AuditKind kind) {
        return store.count(kind);
    }

    @Override
    public LegacyHealth health() {
        return store.health();
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
