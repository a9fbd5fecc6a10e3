package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.StoreException;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The "index pending" marks the dual-write relies on: written with the record (set unless the
 * hook indexed it), cleared later by the repair.
 */
class PostgresIndexMarksTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);
    private static final float[] VECTOR = {0.6f, 0.8f, 0f};

    private HikariDataSource dataSource;
    private AuditStore store;

    @BeforeEach
    void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        store = PostgresStore.open(dataSource, CLOCK, 1).auditStore();
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private static NewRecord record(String name, float[] vector) {
        return new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION,
                AuditFixtures.remediation(name, "2026-11-20T10:00:00Z")), vector);
    }

    @Test
    void marksOnlyWhatTheHookDidNotIndex() {
        AtomicReference<List<IndexableRecord>> seen = new AtomicReference<>();
        WriteResult result = store.write(List.of(record("a", VECTOR), record("b", VECTOR), record("c", null)), null,
                records -> {
                    seen.set(records);
                    return Set.of(records.getFirst().id());
                });

        List<Receipt> receipts = result.receipts();
        assertThat(seen.get()).extracting(IndexableRecord::id).containsExactly(receipts.get(0).id(), receipts.get(1).id());
        IndexableRecord a = seen.get().getFirst();
        assertThat(a.kind()).isEqualTo(AuditKind.REMEDIATION);
        assertThat(a.embedding()).containsExactly(VECTOR);
        assertThat(a.toEntry().metadata().checksum()).isEqualTo(a.checksum()).hasSize(64);
        assertThat(receipts).extracting(Receipt::vectorIndexed).containsExactly(true, false, false);
        assertThat(store.find(AuditKind.REMEDIATION, receipts.get(0).id()).orElseThrow().vectorIndexed()).isTrue();
        assertThat(store.find(AuditKind.REMEDIATION, receipts.get(1).id()).orElseThrow().vectorIndexed()).isFalse();
        assertThat(store.countPendingIndex()).isEqualTo(2);
        // The record without an embedding waits for it before it can be indexed.
        assertThat(store.pendingIndex(10)).extracting(IndexableRecord::id).containsExactly(receipts.get(1).id());
    }

    @Test
    void aHookThatThrowsRollsTheWholeWriteBack() {
        assertThatThrownBy(() -> store.write(List.of(record("x", VECTOR)), null, records -> {
            throw new IllegalStateException("index refused");
        })).hasMessageContaining("index refused");

        assertThat(store.countPendingIndex()).isZero();
        assertThat(store.pendingIndex(10)).isEmpty();
    }

    @Test
    void aReplayDoesNotRunTheHookAndReturnsTheFirstAnswer() {
        IdempotencyToken token = new IdempotencyToken("key-1", "fingerprint-1");
        AtomicInteger calls = new AtomicInteger();
        WriteResult first = store.write(List.of(record("r", VECTOR)), token, records -> {
            calls.incrementAndGet();
            return Set.of(records.getFirst().id());
        });
        WriteResult replay = store.write(List.of(record("r", VECTOR)), token, records -> {
            calls.incrementAndGet();
            return Set.of();
        });

        assertThat(calls).hasValue(1);
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.receipts()).isEqualTo(first.receipts());
        assertThat(replay.receipts().getFirst().vectorIndexed()).isTrue();
    }

    @Test
    void repairCompletesMarksOnceAndWalksIndexedRecordsByArrival() {
        List<Receipt> receipts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            receipts.addAll(store.write(List.of(record("p" + i, VECTOR)), null).receipts());
        }
        List<IndexableRecord> pending = store.pendingIndex(3);
        assertThat(pending).hasSize(3);

        assertThat(store.completeIndex(pending)).isEqualTo(3);
        assertThat(store.completeIndex(pending)).as("already complete").isZero();
        assertThat(store.countPendingIndex()).isEqualTo(2);

        List<UUID> walked = new ArrayList<>();
        IndexableRecord after = null;
        for (List<IndexableRecord> page = store.indexedSince(Instant.EPOCH, null, 2); !page.isEmpty();
             page = store.indexedSince(Instant.EPOCH, after, 2)) {
            page.forEach(r -> walked.add(r.id()));
            after = page.getLast();
        }
        assertThat(walked).containsExactlyInAnyOrderElementsOf(pending.stream().map(IndexableRecord::id).toList());
        assertThat(store.indexedSince(CLOCK.instant().plusSeconds(1), null, 10)).isEmpty();
    }

    @Test
    void aWriteWhoseInsertFailsAfterTheUpsertLeavesNoVectorBehind() throws SQLException {
        // The hook (the index upsert) runs before the insert: when the insert then fails, the
        // coordinator must take the vector back, so the store and the index stay both-or-neither.
        InMemoryVectorIndex index = new InMemoryVectorIndex(VECTOR.length);
        DualWriteCoordinator coordinator = new DualWriteCoordinator(store,
                GuardedIndex.of(index, 1, Duration.ofMillis(1), Duration.ofMinutes(1)),
                DualWriteCoordinator.Mode.FALLBACK, DualWriteListener.NONE);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'insert refused'; END $$""");
            s.execute("CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_records_y2026m11 "
                    + "FOR EACH ROW EXECUTE FUNCTION refuse_insert()");
        }

        assertThatThrownBy(() -> coordinator.write(List.of(record("refused", VECTOR)), null, Deadline.none()))
                .isInstanceOf(StoreException.class);

        assertThat(index.count()).isZero();
        assertThat(store.countPendingIndex()).isZero();
    }
}
