package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditPosition;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LegacyListingTest {
    private static final Instant T0 = Instant.parse("2026-11-20T11:00:00.123456Z");

    private static LegacyRecord record(AuditKind kind, UUID id, Instant createdAt) {
        Map<String, Object> document = AuditFixtures.valid(kind);
        document.put("createdAt", createdAt.toString());
        return new LegacyRecord(id, kind, createdAt, document, null);
    }

    @Test
    void itemsAreTheLegacyRecordsReceivedAtTheirCreationNeitherEmbeddedNorIndexedWithTheirLegacyIds() {
        InMemoryLegacyStore store = new InMemoryLegacyStore();
        LegacyRecord plain = record(AuditKind.WORKFLOW, UUID.randomUUID(), T0);
        LegacyRecord legacy = LegacyRecord.fromLegacy("evt-9", AuditKind.WORKFLOW, T0.plusSeconds(1),
                record(AuditKind.WORKFLOW, UUID.randomUUID(), T0.plusSeconds(1)).document());
        store.put(plain);
        store.put(legacy);

        AuditPage page = LegacyListing.list(store, AuditQuery.builder().kind(AuditKind.WORKFLOW).includeTotal(true).build());

        assertThat(page.items()).extracting(AuditRecord::id).containsExactly(legacy.id(), plain.id());
        AuditRecord first = page.items().getFirst();
        assertThat(first.legacyId()).isEqualTo("evt-9");
        assertThat(first.receivedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(first.embedded()).isFalse();
        assertThat(first.vectorIndexed()).isFalse();
        assertThat(first.document()).isEqualTo(legacy.document());
        assertThat(page.next()).isNull();
        assertThat(page.total()).isEqualTo(2);
    }

    @Test
    void aPageEndsAtItsLimitWithThePositionOfItsLastItemAndTheNextPageFollowsOnTies() {
        InMemoryLegacyStore store = new InMemoryLegacyStore();
        UUID low = new UUID(0x1000_0000_0000_0000L, 1);
        UUID high = new UUID(0xF000_0000_0000_0000L, 1); // negative as a long: greater only unsigned
        store.put(record(AuditKind.EXECUTION, low, T0));
        store.put(record(AuditKind.EXECUTION, high, T0));
        AuditQuery query = AuditQuery.builder().kind(AuditKind.EXECUTION).limit(1).build();

        AuditPage first = LegacyListing.list(store, query);
        AuditPage second = LegacyListing.list(store, query.after(first.next()));

        assertThat(first.items()).extracting(AuditRecord::id).containsExactly(high);
        assertThat(first.next()).isEqualTo(new AuditPosition(T0, high));
        assertThat(first.total()).isNull();
        assertThat(second.items()).extracting(AuditRecord::id).containsExactly(low);
        assertThat(second.next()).isNull();
    }

    @Test
    void aStoreThatIsDownFailsTheListingTransiently() {
        InMemoryLegacyStore store = new InMemoryLegacyStore();
        store.down(true);

        assertThatThrownBy(() -> LegacyListing.list(store, AuditQuery.builder().build()))
                .isInstanceOf(LegacyStoreUnavailableException.class);
    }

    @Test
    void aLegacyDocumentLackingAFieldOrHoldingItAsAnotherTypeMatchesNoFilterOnIt() {
        Map<String, Object> odd = AuditFixtures.valid(AuditKind.REMEDIATION);
        odd.remove("namespace");
        odd.put("labels", "team=payments");
        odd.put("severity", "CRITICAL");
        odd.put("correlationId", 42);

        assertThat(AuditQuery.builder().build().matches(AuditKind.REMEDIATION, T0, odd)).isTrue();
        assertThat(AuditQuery.builder().namespace("prod").build().matches(AuditKind.REMEDIATION, T0, odd)).isFalse();
        assertThat(AuditQuery.builder().label("team", "payments").build().matches(AuditKind.REMEDIATION, T0, odd)).isFalse();
        assertThat(AuditQuery.builder().severity(io.datastorage.core.audit.Severity.CRITICAL).build()
                .matches(AuditKind.REMEDIATION, T0, odd)).isFalse();
        assertThat(AuditQuery.builder().correlationId("42").build().matches(AuditKind.REMEDIATION, T0, odd)).isFalse();
        assertThat(AuditQuery.builder().kind(AuditKind.WORKFLOW).build().matches(AuditKind.REMEDIATION, T0, odd)).isFalse();
    }
}
