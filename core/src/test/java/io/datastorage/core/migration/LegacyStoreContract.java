package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.error.Component;
import io.datastorage.core.store.UnreadableRecordException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link LegacyStore} promises, for every implementation: exact content, idempotent puts by
 * id, legacy ids kept, a stable paged scan, counts per kind.
 */
public abstract class LegacyStoreContract {
    protected static final Instant T0 = Instant.parse("2026-11-20T11:00:00.123456Z");

    private LegacyStore store;

    /** An empty store that holds records of every kind. */
    protected abstract LegacyStore newStore();

    /**
     * Damages the stored {@code record} in place, as a broken legacy writer or a hand edit would (a
     * file that is not JSON, a row whose document is not an object), so that the store can no longer
     * read it but still holds it where it was. A store that cannot hold a damaged record (the
     * in-memory one) leaves this as it is, and the contract's damaged-record case is skipped for it.
     */
    protected void damage(LegacyRecord record) {
        Assumptions.abort("this store cannot hold a damaged record");
    }

    protected final LegacyStore store() {
        if (store == null) {
            store = newStore();
        }
        return store;
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    /** A record of {@code kind} with a document full of what must survive exactly. */
    protected static LegacyRecord record(AuditKind kind, UUID id, Instant createdAt) {
        Map<String, Object> document = new LinkedHashMap<>(AuditFixtures.valid(kind));
        document.put("createdAt", createdAt.toString());
        document.put("message", "Ünïcødé \"quoted\" \\ back\tslash\n€ 𝄞 <b>&amp;</b> DROP TABLE x;");
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("team", "sre");
        labels.put("zone", "eu-1");
        document.put("labels", labels);
        document.put("ratio", new BigDecimal("0.10"));
        document.put("huge", new BigInteger("123456789012345678901234567890"));
        document.put("precise", new BigDecimal("3.14159265358979323846264338327950288"));
        document.put("count", 3);
        document.put("flags", List.of(true, false, "x", 7));
        return new LegacyRecord(id, kind, createdAt, document, null);
    }

    protected static LegacyRecord record(AuditKind kind, Instant createdAt) {
        return record(kind, UUID.randomUUID(), createdAt);
    }

    @Test
    void aRecordReadsBackWithExactlyItsContent() {
        LegacyRecord written = record(AuditKind.REMEDIATION, T0);

        assertThat(store().put(written)).isEqualTo(LegacyStore.PutOutcome.CREATED);

        LegacyRecord read = store().find(AuditKind.REMEDIATION, written.id()).orElseThrow();
        assertThat(read.id()).isEqualTo(written.id());
        assertThat(read.kind()).isEqualTo(written.kind());
        assertThat(read.createdAt()).isEqualTo(T0);
        assertThat(read.legacyId()).isNull();
        assertThat(read.document()).isEqualTo(written.document());
        assertThat(read.document().get("ratio")).isEqualTo(new BigDecimal("0.10")); // scale kept, not 0.1
        assertThat(read.sameContentAs(written)).isTrue();
    }

    @Test
    void aSecondPutOfTheSameRecordChangesNothingAndLeavesOneCopy() {
        LegacyRecord written = record(AuditKind.WORKFLOW, T0);
        store().put(written);

        assertThat(store().put(written)).isEqualTo(LegacyStore.PutOutcome.UNCHANGED);
        assertThat(store().put(record(AuditKind.WORKFLOW, written.id(), T0)))
                .as("the same content built anew").isEqualTo(LegacyStore.PutOutcome.UNCHANGED);

        assertThat(store().count(AuditKind.WORKFLOW)).isEqualTo(1);
        assertThat(store().scan(AuditKind.WORKFLOW, Optional.empty(), 10).records()).hasSize(1);
    }

    @Test
    void aPutOfAStoredIdWithOtherContentIsRefusedAndTheStoredRecordStays() {
        LegacyRecord written = record(AuditKind.EXECUTION, T0);
        store().put(written);
        Map<String, Object> altered = new LinkedHashMap<>(written.document());
        altered.put("ratio", new BigDecimal("0.11"));
        LegacyRecord other = new LegacyRecord(written.id(), AuditKind.EXECUTION, T0, altered, null);

        assertThatThrownBy(() -> store().put(other))
                .isInstanceOf(LegacyRecordConflictException.class)
                .hasMessageContaining(written.id().toString())
                .hasMessageNotContaining("0.11");

        assertThat(store().find(AuditKind.EXECUTION, written.id()).orElseThrow().document())
                .isEqualTo(written.document());
        assertThat(store().count(AuditKind.EXECUTION)).isEqualTo(1);
    }

    @Test
    void aLegacyIdThatIsNotAUuidIsKeptAndTheRecordIsFoundUnderItsNameBasedId() {
        LegacyRecord base = record(AuditKind.AI_ANALYSIS, T0);
        LegacyRecord written = LegacyRecord.fromLegacy("evt-2024/0001 ä", AuditKind.AI_ANALYSIS, T0, base.document());

        store().put(written);

        LegacyRecord read = store().find(AuditKind.AI_ANALYSIS, LegacyIds.toUuid("evt-2024/0001 ä")).orElseThrow();
        assertThat(read.legacyId()).isEqualTo("evt-2024/0001 ä");
        assertThat(read.id()).isEqualTo(written.id());
        assertThat(read.sameContentAs(written)).isTrue();
        assertThat(store().put(written)).isEqualTo(LegacyStore.PutOutcome.UNCHANGED);
    }

    @Test
    void aRecordIsNotFoundUnderAnotherKindOrAnUnknownId() {
        LegacyRecord written = record(AuditKind.REMEDIATION, T0);
        store().put(written);

        assertThat(store().find(AuditKind.WORKFLOW, written.id())).isEmpty();
        assertThat(store().find(AuditKind.REMEDIATION, UUID.randomUUID())).isEmpty();
    }

    @Test
    void anEmptyStoreScansNothingAndCountsZero() {
        LegacyPage page = store().scan(AuditKind.REMEDIATION, Optional.empty(), 10);

        assertThat(page.records()).isEmpty();
        assertThat(page.next()).isEmpty();
        assertThat(store().count(AuditKind.REMEDIATION)).isZero();
    }

    @Test
    void aScanListsOneKindInAscendingCreatedAtAndPagesWithoutGapsOrRepeats() {
        List<LegacyRecord> remediations = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            // several records per instant, written out of order, and across months and years
            Instant at = T0.plusSeconds(86_400L * 20 * (7 - i % 7)).plusNanos(1000L * (i % 3));
            LegacyRecord record = i % 5 == 0
                    ? LegacyRecord.fromLegacy("legacy-" + i, AuditKind.REMEDIATION, at, record(AuditKind.REMEDIATION, at).document())
                    : record(AuditKind.REMEDIATION, at);
            remediations.add(record);
            store().put(record);
            store().put(record(AuditKind.WORKFLOW, at)); // another kind, interleaved
        }

        List<LegacyRecord> all = store().scan(AuditKind.REMEDIATION, Optional.empty(), 1000).records();

        assertThat(all).extracting(LegacyRecord::id)
                .containsExactlyInAnyOrderElementsOf(remediations.stream().map(LegacyRecord::id).toList());
        assertThat(all).extracting(LegacyRecord::createdAt).isSorted();
        assertThat(store().scan(AuditKind.REMEDIATION, Optional.empty(), 1000).records())
                .as("the same order every time").extracting(LegacyRecord::id)
                .containsExactlyElementsOf(all.stream().map(LegacyRecord::id).toList());
        for (int pageSize : new int[] {1, 2, 5, 22, 23, 24}) {
            assertThat(scanInPages(AuditKind.REMEDIATION, pageSize)).as("pages of %d", pageSize)
                    .extracting(LegacyRecord::id)
                    .containsExactlyElementsOf(all.stream().map(LegacyRecord::id).toList());
        }
        assertThat(store().count(AuditKind.REMEDIATION)).isEqualTo(23);
        assertThat(store().count(AuditKind.WORKFLOW)).isEqualTo(23);
        assertThat(store().count(AuditKind.EXECUTION)).isZero();
    }

    @Test
    void aScanResumesAfterItsPositionEvenWhenRecordsArriveBehindIt() {
        LegacyRecord first = record(AuditKind.REMEDIATION, T0);
        LegacyRecord second = record(AuditKind.REMEDIATION, T0.plusSeconds(60));
        store().put(first);
        store().put(second);
        LegacyPage page = store().scan(AuditKind.REMEDIATION, Optional.empty(), 1);
        LegacyRecord later = record(AuditKind.REMEDIATION, T0.plusSeconds(120));
        store().put(record(AuditKind.REMEDIATION, T0.minusSeconds(60))); // behind the position: not seen
        store().put(later);

        List<LegacyRecord> rest = store().scan(AuditKind.REMEDIATION, page.next(), 10).records();

        assertThat(page.records()).extracting(LegacyRecord::id).containsExactly(first.id());
        assertThat(rest).extracting(LegacyRecord::id).containsExactly(second.id(), later.id());
    }

    @Test
    void aScanLimitOutsideItsRangeIsRefused() {
        assertThatThrownBy(() -> store().scan(AuditKind.REMEDIATION, Optional.empty(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("limit must be 1..10000, was 0");
        assertThatThrownBy(() -> store().scan(AuditKind.REMEDIATION, Optional.empty(), 10_001))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentPutsOfOneRecordCreateItOnce() throws Exception {
        LegacyRecord written = record(AuditKind.EXECUTION, T0);
        int writers = 8;
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Callable<LegacyStore.PutOutcome>> puts = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            puts.add(() -> {
                start.await();
                return store().put(written);
            });
        }
        LegacyStore shared = store();
        List<LegacyStore.PutOutcome> outcomes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            for (Future<LegacyStore.PutOutcome> outcome : pool.invokeAll(puts)) {
                outcomes.add(outcome.get());
            }
        }

        assertThat(outcomes).containsOnlyOnce(LegacyStore.PutOutcome.CREATED);
        assertThat(shared.count(AuditKind.EXECUTION)).isEqualTo(1);
        assertThat(shared.find(AuditKind.EXECUTION, written.id()).orElseThrow().sameContentAs(written)).isTrue();
    }

    @Test
    void aRemovedRecordIsGoneFromFindScanAndCount() {
        LegacyRecord removed = record(AuditKind.REMEDIATION, T0);
        LegacyRecord kept = record(AuditKind.REMEDIATION, T0.plusSeconds(1));
        store().put(removed);
        store().put(kept);

        assertThat(store().remove(AuditKind.REMEDIATION, removed.id())).isTrue();

        assertThat(store().find(AuditKind.REMEDIATION, removed.id())).isEmpty();
        assertThat(store().scan(AuditKind.REMEDIATION, Optional.empty(), 10).records())
                .extracting(LegacyRecord::id).containsExactly(kept.id());
        assertThat(store().count(AuditKind.REMEDIATION)).isEqualTo(1);
        assertThat(store().find(AuditKind.REMEDIATION, kept.id()).orElseThrow().sameContentAs(kept)).isTrue();
    }

    @Test
    void removingARecordThatIsNotThereChangesNothing() {
        LegacyRecord written = record(AuditKind.WORKFLOW, T0);
        store().put(written);
        store().remove(AuditKind.WORKFLOW, written.id());

        assertThat(store().remove(AuditKind.WORKFLOW, written.id())).as("a second remove").isFalse();
        assertThat(store().remove(AuditKind.WORKFLOW, UUID.randomUUID())).as("an id never stored").isFalse();
        assertThat(store().count(AuditKind.WORKFLOW)).isZero();
    }

    @Test
    void aRemoveUnderAnotherKindLeavesTheRecordAlone() {
        LegacyRecord written = record(AuditKind.EXECUTION, T0);
        store().put(written);

        assertThat(store().remove(AuditKind.REMEDIATION, written.id())).isFalse();

        assertThat(store().find(AuditKind.EXECUTION, written.id()).orElseThrow().sameContentAs(written)).isTrue();
        assertThat(store().count(AuditKind.EXECUTION)).isEqualTo(1);
    }

    @Test
    void aRecordWithALegacyIdIsRemovedUnderItsNameBasedId() {
        LegacyRecord written = LegacyRecord.fromLegacy("evt-remove-7", AuditKind.AI_ANALYSIS, T0,
                record(AuditKind.AI_ANALYSIS, T0).document());
        store().put(written);

        assertThat(store().remove(AuditKind.AI_ANALYSIS, LegacyIds.toUuid("evt-remove-7"))).isTrue();

        assertThat(store().find(AuditKind.AI_ANALYSIS, written.id())).isEmpty();
        assertThat(store().count(AuditKind.AI_ANALYSIS)).isZero();
    }

    @Test
    void aPutAfterARemoveCreatesTheRecordAgain() {
        LegacyRecord written = record(AuditKind.REMEDIATION, T0);
        store().put(written);
        store().remove(AuditKind.REMEDIATION, written.id());

        assertThat(store().put(written)).isEqualTo(LegacyStore.PutOutcome.CREATED);

        assertThat(store().find(AuditKind.REMEDIATION, written.id()).orElseThrow().sameContentAs(written)).isTrue();
        assertThat(store().count(AuditKind.REMEDIATION)).isEqualTo(1);
        assertThat(store().put(written)).isEqualTo(LegacyStore.PutOutcome.UNCHANGED);
    }

    @Test
    void findScanAndCountAgreeAfterRemovesAmongTies() {
        List<LegacyRecord> written = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Instant at = T0.plusSeconds(i / 4); // four records per instant
            LegacyRecord record = i % 3 == 0
                    ? LegacyRecord.fromLegacy("tie-" + i, AuditKind.WORKFLOW, at, record(AuditKind.WORKFLOW, at).document())
                    : record(AuditKind.WORKFLOW, at);
            written.add(record);
            store().put(record);
        }
        List<LegacyRecord> kept = new ArrayList<>();
        for (int i = 0; i < written.size(); i++) {
            if (i % 2 == 1 || i == 4) {
                assertThat(store().remove(AuditKind.WORKFLOW, written.get(i).id())).isTrue();
            } else {
                kept.add(written.get(i));
            }
        }

        List<LegacyRecord> scanned = store().scan(AuditKind.WORKFLOW, Optional.empty(), 100).records();
        assertThat(scanned).extracting(LegacyRecord::id)
                .containsExactlyInAnyOrderElementsOf(kept.stream().map(LegacyRecord::id).toList());
        assertThat(scanInPages(AuditKind.WORKFLOW, 2)).extracting(LegacyRecord::id)
                .containsExactlyElementsOf(scanned.stream().map(LegacyRecord::id).toList());
        assertThat(store().count(AuditKind.WORKFLOW)).isEqualTo(kept.size());
        for (LegacyRecord record : written) {
            assertThat(store().find(AuditKind.WORKFLOW, record.id()).isPresent()).as(record.storageKey())
                    .isEqualTo(kept.contains(record));
        }
    }

    @Test
    void aWorkingStoreIsHealthy() {
        assertThat(store().health().up()).isTrue();
    }

    @Test
    void aDamagedRecordIsNamedByTheScanThatLeavesItOutReportedByFindAndCounted() {
        LegacyRecord before = record(AuditKind.WORKFLOW, T0);
        LegacyRecord broken = record(AuditKind.WORKFLOW, T0.plusSeconds(1));
        LegacyRecord after = record(AuditKind.WORKFLOW, T0.plusSeconds(2));
        store().put(before);
        store().put(broken);
        store().put(after);
        damage(broken);

        LegacyPage whole = store().scan(AuditKind.WORKFLOW, Optional.empty(), 10);
        assertThat(whole.records()).extracting(LegacyRecord::id).containsExactly(before.id(), after.id());
        assertThat(whole.unreadable()).singleElement().satisfies(unreadable -> {
            assertThat(unreadable.id()).contains(broken.id());
            assertThat(unreadable.name()).isEqualTo(broken.id().toString());
            assertThat(unreadable.key()).isNotBlank();
            assertThat(unreadable.reason()).isNotBlank();
        });
        List<LegacyPage.Unreadable> paged = new ArrayList<>();
        List<LegacyRecord> records = new ArrayList<>();
        Optional<LegacyPosition> position = Optional.empty();
        do {
            LegacyPage page = store().scan(AuditKind.WORKFLOW, position, 1);
            records.addAll(page.records());
            paged.addAll(page.unreadable());
            position = page.next();
        } while (position.isPresent());
        assertThat(records).as("pages of one go on past the damaged record").extracting(LegacyRecord::id)
                .containsExactly(before.id(), after.id());
        assertThat(paged).as("met once in a paged scan").extracting(LegacyPage.Unreadable::id)
                .containsExactly(Optional.of(broken.id()));
        assertThat(store().scan(AuditKind.REMEDIATION, Optional.empty(), 10).unreadable()).isEmpty();
        assertThatThrownBy(() -> store().find(AuditKind.WORKFLOW, broken.id()))
                .isInstanceOfSatisfying(UnreadableRecordException.class, e -> {
                    assertThat(e.id()).isEqualTo(broken.id());
                    assertThat(e.component()).isEqualTo(Component.LEGACY_STORE);
                });
        assertThat(store().count(AuditKind.WORKFLOW)).as("count counts every stored record, readable or not")
                .isEqualTo(3);
    }

    private List<LegacyRecord> scanInPages(AuditKind kind, int pageSize) {
        List<LegacyRecord> all = new ArrayList<>();
        Optional<LegacyPosition> after = Optional.empty();
        do {
            LegacyPage page = store().scan(kind, after, pageSize);
            assertThat(page.records()).hasSizeLessThanOrEqualTo(pageSize);
            all.addAll(page.records());
            after = page.next();
        } while (after.isPresent());
        return all;
    }
}
