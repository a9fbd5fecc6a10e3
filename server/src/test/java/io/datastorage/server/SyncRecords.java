package io.datastorage.server;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Records for the sync validation's server tests, and how they are put on both stores of a running
 * service directly (not through the API): the legacy store's own put, and PostgreSQL's record store
 * under the records' ids in batches, their embedding left pending.
 */
final class SyncRecords {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String VALIDATE = "/api/v1/admin/migration/validate";
    private static final Instant FIRST = Instant.parse("2026-11-01T00:00:00Z");

    private SyncRecords() {
    }

    /**
     * Record {@code n} of a set named {@code set}: the four kinds in turn, {@code createdAt} spread
     * over about three weeks (a record every 90 s), an AI analysis's confidence written {@code 0.50}.
     */
    static LegacyRecord record(String set, int n) {
        AuditKind kind = AuditKind.values()[n % AuditKind.values().length];
        Instant createdAt = FIRST.plusSeconds(90L * n).plusNanos(1000L * (n % 997));
        Map<String, Object> document = new LinkedHashMap<>(
                JSON.convertValue(JSON.readTree(RunningService.validRecord(kind.pathName(), set + "-" + n)), Map.class));
        document.put("createdAt", createdAt.toString());
        if (kind == AuditKind.AI_ANALYSIS) {
            document.put("confidence", new BigDecimal("0.50"));
        }
        UUID id = UUID.nameUUIDFromBytes((set + "/" + n).getBytes(StandardCharsets.UTF_8));
        return new LegacyRecord(id, kind, createdAt, document, null);
    }

    static List<LegacyRecord> records(String set, int count) {
        List<LegacyRecord> records = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            records.add(record(set, n));
        }
        return records;
    }

    /** Puts {@code records} on the legacy store, four at a time (each put is durable on its own). */
    static void putOnLegacy(RunningService service, List<LegacyRecord> records) throws Exception {
        LegacyStore legacy = service.context().getBean(LegacyStore.class);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> puts = new ArrayList<>();
            for (int part = 0; part < 4; part++) {
                int first = part;
                puts.add(pool.submit(() -> {
                    for (int i = first; i < records.size(); i += 4) {
                        legacy.put(records.get(i));
                    }
                }));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        }
    }

    /** Writes {@code records} to PostgreSQL under their ids, 500 to a transaction; the receipts by id. */
    static Map<UUID, Receipt> putOnNew(RunningService service, List<LegacyRecord> records) {
        RecordStore store = service.context().getBean(RecordStore.class);
        AuditValidator validator = service.context().getBean(AuditValidator.class);
        Map<UUID, Receipt> receipts = new LinkedHashMap<>();
        for (int from = 0; from < records.size(); from += 500) {
            List<NewRecord> batch = new ArrayList<>();
            for (LegacyRecord record : records.subList(from, Math.min(records.size(), from + 500))) {
                batch.add(new NewRecord(validator.validate(record.kind(), record.document()), null, record.id(),
                        record.legacyId()));
            }
            store.write(batch, null).receipts().forEach(receipt -> receipts.put(receipt.id(), receipt));
        }
        return receipts;
    }

    static JsonNode json(String body) {
        return JSON.readTree(body);
    }

    /** The ids of one category of a report's examples. */
    static List<String> examples(JsonNode report, String category) {
        List<String> ids = new ArrayList<>();
        report.path("examples").path(category).forEach(id -> ids.add(id.asString()));
        return ids;
    }
}
