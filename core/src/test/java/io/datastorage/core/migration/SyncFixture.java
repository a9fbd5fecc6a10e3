package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.InMemoryAuditStore;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Two in-memory sides of a migration and records to put on them, for the validator's tests. */
final class SyncFixture {
    static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");

    final ManualClock clock = new ManualClock(T0);
    final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, clock);
    final InMemoryAuditStore newStore = new InMemoryAuditStore(clock);
    final InMemoryLegacyStore legacyStore = new InMemoryLegacyStore();
    final RecordSink newSink = NewSideRecords.sink(newStore, validator);

    /**
     * Record {@code n}: a remediation when {@code n} is even, an AI analysis (with a confidence of
     * {@code confidence}) when odd; every third one under a legacy id that is not a UUID.
     */
    static LegacyRecord record(int n, Instant createdAt, String name, String confidence) {
        AuditKind kind = n % 2 == 0 ? AuditKind.REMEDIATION : AuditKind.AI_ANALYSIS;
        Map<String, Object> document = new LinkedHashMap<>(AuditFixtures.valid(kind));
        document.put("name", name);
        document.put("createdAt", createdAt.toString());
        document.put("correlationId", "corr-" + n);
        if (kind == AuditKind.AI_ANALYSIS) {
            document.put("confidence", new BigDecimal(confidence));
        }
        if (n % 3 == 0) {
            return LegacyRecord.fromLegacy("order-" + n, kind, createdAt, document);
        }
        UUID id = UUID.nameUUIDFromBytes(("record-" + n).getBytes(StandardCharsets.UTF_8));
        return new LegacyRecord(id, kind, createdAt, document, null);
    }

    static LegacyRecord record(int n, Instant createdAt) {
        return record(n, createdAt, "rr-" + n, "0.5");
    }

    void putOnBoth(LegacyRecord record) {
        legacyStore.put(record);
        newSink.put(record);
    }

    SyncValidator validator(SyncValidator.Settings settings) {
        return validator(legacyStore, settings);
    }

    SyncValidator validator(LegacyStore legacy, SyncValidator.Settings settings) {
        return new SyncValidator(legacy, newStore, newSink, settings, clock);
    }

    /** Every record of the new side, read whole: the brute force the validator is checked against. */
    Map<UUID, LegacyRecord> allNew() {
        Map<UUID, LegacyRecord> records = new LinkedHashMap<>();
        AuditQuery query = AuditQuery.builder().limit(AuditQuery.MAX_LIMIT).build();
        AuditPosition position = null;
        do {
            AuditPage page = newStore.list(query.after(position));
            for (AuditRecord item : page.items()) {
                records.put(item.id(), MigrationRecords.toLegacy(item));
            }
            position = page.next();
        } while (position != null);
        return records;
    }

    /** Every record of the legacy side, read whole. */
    Map<UUID, LegacyRecord> allLegacy() {
        Map<UUID, LegacyRecord> records = new LinkedHashMap<>();
        for (AuditKind kind : AuditKind.values()) {
            Optional<LegacyPosition> after = Optional.empty();
            do {
                LegacyPage page = legacyStore.scan(kind, after, 10_000);
                page.records().forEach(record -> records.put(record.id(), record));
                after = page.next();
            } while (after.isPresent());
        }
        return records;
    }
}
