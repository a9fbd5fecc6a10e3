package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditKind;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A legacy store in memory, for tests of what builds on the SPI: passes {@code LegacyStoreContract},
 * and can be switched down ({@link #down(boolean)}), when every call fails as an unreachable store does.
 * Ties in scan order are broken by the storage key in {@link String#compareTo} order.
 */
public final class InMemoryLegacyStore implements LegacyStore {
    static final Comparator<LegacyRecord> SCAN_ORDER = Comparator.comparing(LegacyRecord::createdAt)
            .thenComparing(LegacyRecord::storageKey);

    private final Map<UUID, LegacyRecord> records = new ConcurrentHashMap<>();
    private final AtomicBoolean down = new AtomicBoolean();

    /** While {@code true}, every call fails with {@link LegacyStoreUnavailableException}. */
    public void down(boolean isDown) {
        down.set(isDown);
    }

    @Override
    public PutOutcome put(LegacyRecord record) {
        checkUp();
        LegacyRecord stored = records.putIfAbsent(record.id(), record);
        if (stored == null) {
            return PutOutcome.CREATED;
        }
        if (!stored.sameContentAs(record)) {
            throw new LegacyRecordConflictException(record.id(), record.storageKey());
        }
        return PutOutcome.UNCHANGED;
    }

    @Override
    public boolean remove(AuditKind kind, UUID id) {
        checkUp();
        LegacyRecord stored = records.get(id);
        return stored != null && stored.kind() == kind && records.remove(id, stored);
    }

    @Override
    public Optional<LegacyRecord> find(AuditKind kind, UUID id) {
        checkUp();
        return Optional.ofNullable(records.get(id)).filter(record -> record.kind() == kind);
    }

    @Override
    public LegacyPage scan(AuditKind kind, Optional<LegacyPosition> after, int limit) {
        LegacyStore.checkLimit(limit);
        checkUp();
        List<LegacyRecord> page = records.values().stream()
                .filter(record -> record.kind() == kind)
                .filter(record -> after.map(position -> isAfter(record, position)).orElse(true))
                .sorted(SCAN_ORDER)
                .limit(limit)
                .toList();
        return LegacyPage.of(page, limit);
    }

    private static boolean isAfter(LegacyRecord record, LegacyPosition position) {
        int byTime = record.createdAt().compareTo(position.createdAt());
        return byTime > 0 || byTime == 0 && record.storageKey().compareTo(position.key()) > 0;
    }

    @Override
    public long count(AuditKind kind) {
        checkUp();
        return records.values().stream().filter(record -> record.kind() == kind).count();
    }

    @Override
    public LegacyHealth health() {
        return down.get() ? LegacyHealth.down("switched down by the test") : LegacyHealth.up("in memory");
    }

    @Override
    public void close() {
    }

    private void checkUp() {
        if (down.get()) {
            throw new LegacyStoreUnavailableException("switched down by the test", null);
        }
    }
}
