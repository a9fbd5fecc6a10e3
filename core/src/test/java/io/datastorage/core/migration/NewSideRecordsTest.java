package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.store.RecordConflictException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The new side as the queue job reads and writes it. */
class NewSideRecordsTest {
    private final RouterFixture fixture = new RouterFixture(MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY);
    private final RecordSink sink = NewSideRecords.sink(fixture.newStore, fixture.validator);
    private final RecordSource source = NewSideRecords.source(fixture.newStore);

    private static LegacyRecord legacyRecord(String legacyId, String name) {
        Map<String, Object> document = new LinkedHashMap<>(AuditFixtures.remediation(name, "2026-11-20T11:00:00.123456Z"));
        return LegacyRecord.fromLegacy(legacyId, AuditKind.REMEDIATION, Instant.parse("2026-11-20T11:00:00.123456Z"),
                document);
    }

    @Test
    void aRecordPutReadsBackWithTheSameContentAndItsLegacyIdAndItsEmbeddingPending() {
        LegacyRecord record = legacyRecord("order-4711", "rr-1");

        sink.put(record);
        sink.put(record); // idempotent

        assertThat(source.find(AuditKind.REMEDIATION, record.id())).hasValueSatisfying(
                stored -> assertThat(stored.sameContentAs(record)).isTrue());
        assertThat(fixture.newStore.find(AuditKind.REMEDIATION, record.id()).orElseThrow().embedded()).isFalse();
        assertThat(fixture.newStore.ids()).containsExactly(record.id());
    }

    @Test
    void aRecordHeldWithOtherContentIsRefusedAndAnInvalidOneIsNotStored() {
        sink.put(legacyRecord("order-1", "rr-1"));

        assertThatThrownBy(() -> sink.put(legacyRecord("order-1", "rr-2"))).isInstanceOf(RecordConflictException.class);
        Map<String, Object> invalid = new LinkedHashMap<>(legacyRecord("order-2", "rr-3").document());
        invalid.remove("namespace");
        assertThatThrownBy(() -> sink.put(LegacyRecord.fromLegacy("order-2", AuditKind.REMEDIATION,
                Instant.parse("2026-11-20T11:00:00Z"), invalid))).isInstanceOf(AuditValidationException.class);
        assertThat(fixture.newStore.ids()).hasSize(1);
    }
}
