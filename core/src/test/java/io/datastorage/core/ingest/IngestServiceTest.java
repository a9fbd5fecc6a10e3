package io.datastorage.core.ingest;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DeadlineExceededException;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.embedding.SwitchableEmbedder;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The write use case without a transport: validation, idempotency, embedding within the deadline, dual-write. */
class IngestServiceTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final String SCOPE = "POST /api/v1/audit/remediation";

    private final InMemoryAuditStore store = new InMemoryAuditStore(CLOCK);
    private final SwitchableIndex index = new SwitchableIndex(new InMemoryVectorIndex(SwitchableEmbedder.DIMENSION));
    private final SwitchableEmbedder model = new SwitchableEmbedder();
    private final IngestService ingest = ingest(ContentFingerprint.Legacy.NONE);

    private IngestService ingest(ContentFingerprint.Legacy legacy) {
        DualWriteCoordinator coordinator = new DualWriteCoordinator(store,
                GuardedIndex.of(index, 1, Duration.ofMillis(1), Duration.ofMinutes(1)), DualWriteCoordinator.Mode.FALLBACK,
                new DualWriteListener() { });
        return new IngestService(new AuditValidator(ValidationPolicy.DEFAULT, CLOCK),
                new RecordEmbedder(model, RecordEmbedder.FailureListener.NONE), coordinator::write, legacy);
    }

    private static Map<String, Object> record(String name) {
        return AuditFixtures.remediation(name, "2026-11-20T10:00:00Z");
    }

    @Test
    void storesTheRecordEmbeddedAndIndexed() {
        WriteResult result = ingest.ingest(AuditKind.REMEDIATION, record("a"), null, Deadline.none());

        Receipt receipt = result.receipts().getFirst();
        assertThat(result.replayed()).isFalse();
        assertThat(receipt.embedded()).isTrue();
        assertThat(receipt.vectorIndexed()).isTrue();
        assertThat(store.find(AuditKind.REMEDIATION, receipt.id())).isPresent();
        assertThat(index.get(receipt.id())).isPresent();
    }

    @Test
    void aBatchIsStoredWholeWithReceiptsInInputOrder() {
        WriteResult result = ingest.ingestBatch(AuditKind.REMEDIATION, List.of(record("a"), record("b")), null,
                Deadline.none());

        assertThat(result.receipts()).extracting(Receipt::correlationId).containsExactly("corr-a", "corr-b");
        assertThat(store.ids()).hasSize(2);
    }

    @Test
    void invalidInputNamesEveryBadFieldAndNeitherEmbedsNorStores() {
        Map<String, Object> bad = record("a");
        bad.remove("name");
        bad.put("phase", "Sleeping");

        assertThatThrownBy(() -> ingest.ingest(AuditKind.REMEDIATION, bad, new IdempotencyKey("k-invalid", SCOPE),
                Deadline.none()))
                .isInstanceOfSatisfying(AuditValidationException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field).contains("name", "phase"));
        assertThat(store.ids()).isEmpty();
        assertThat(model.calls()).isEmpty();
    }

    @Test
    void aBatchNamesTheBadFieldsByIndexAndStoresNoneOfIt() {
        Map<String, Object> bad = record("b");
        bad.remove("namespace");

        assertThatThrownBy(() -> ingest.ingestBatch(AuditKind.REMEDIATION, List.of(record("a"), bad), null, Deadline.none()))
                .isInstanceOfSatisfying(AuditValidationException.class, e -> assertThat(e.errors())
                        .extracting(FieldError::field).containsExactly("[1].namespace"));
        assertThat(store.ids()).isEmpty();
    }

    @Test
    void theSameKeyWithTheSameContentHoweverSpelledReplaysTheFirstAnswer() {
        WriteResult first = ingest.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-replay", SCOPE),
                Deadline.none());
        Map<String, Object> respelled = new LinkedHashMap<>();
        List.copyOf(record("a").entrySet()).reversed().forEach(e -> respelled.put(e.getKey(), e.getValue()));
        respelled.put("message", null);

        WriteResult retry = ingest.ingest(AuditKind.REMEDIATION, respelled, new IdempotencyKey("k-replay", SCOPE),
                Deadline.none());

        assertThat(retry.replayed()).isTrue();
        assertThat(retry.receipts()).isEqualTo(first.receipts());
        assertThat(store.ids()).hasSize(1);
    }

    @Test
    void theSameKeyWithOtherContentOrInAnotherScopeConflictsAndStoresNothing() {
        ingest.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-conflict", SCOPE), Deadline.none());

        assertThatThrownBy(() -> ingest.ingest(AuditKind.REMEDIATION, record("b"), new IdempotencyKey("k-conflict", SCOPE),
                Deadline.none())).isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> ingest.ingestBatch(AuditKind.REMEDIATION, List.of(record("a")),
                new IdempotencyKey("k-conflict", SCOPE + "/batch"), Deadline.none()))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThat(store.ids()).hasSize(1);
    }

    @Test
    void aKeyBelongsToItsWriterAnotherSubjectReusingItConflictsInsteadOfGettingTheFirstAnswer() {
        WriteResult first = ingest.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-owned", SCOPE),
                Deadline.none(), "system:serviceaccount:apps:writer");

        WriteResult retry = ingest.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-owned", SCOPE),
                Deadline.none(), "system:serviceaccount:apps:writer");
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.receipts()).isEqualTo(first.receipts());
        assertThatThrownBy(() -> ingest.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-owned", SCOPE),
                Deadline.none(), "system:serviceaccount:apps:other")).isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> ingest.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-owned", SCOPE),
                Deadline.none())).isInstanceOf(IdempotencyConflictException.class);
        assertThat(store.ids()).hasSize(1);
    }

    @Test
    void aKeyStoredWithTheLegacyFingerprintStillReplays() {
        IngestService withLegacy = ingest((scope, tree) -> "legacy:" + scope);
        WriteResult earlier = store.write(List.of(new NewRecord(
                        new AuditValidator(ValidationPolicy.DEFAULT, CLOCK).validate(AuditKind.REMEDIATION, record("a")), null)),
                new IdempotencyToken("k-legacy", "legacy:" + SCOPE));

        WriteResult retry = withLegacy.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-legacy", SCOPE),
                Deadline.none());

        assertThat(retry.replayed()).isTrue();
        assertThat(retry.receipts()).isEqualTo(earlier.receipts());
    }

    @Test
    void anEmbedderThatIsDownCostsTheRecordItsVectorNotTheWrite() {
        model.down(true);

        Receipt receipt = ingest.ingest(AuditKind.REMEDIATION, record("a"), null, Deadline.none()).receipts().getFirst();

        assertThat(receipt.embedded()).isFalse();
        assertThat(receipt.vectorIndexed()).isFalse();
        assertThat(store.countPendingEmbeddings()).isEqualTo(1);
        assertThat(index.upserts()).isZero();
    }

    @Test
    void aDeadlineThatHasPassedStoresNothingAndEmbedsNothing() {
        Deadline passed = Deadline.at(CLOCK.instant().minusMillis(1), CLOCK);

        assertThatThrownBy(() -> ingest.ingest(AuditKind.REMEDIATION, record("a"), new IdempotencyKey("k-late", SCOPE),
                passed)).isInstanceOf(DeadlineExceededException.class);
        assertThat(store.ids()).isEmpty();
        assertThat(model.calls()).isEmpty();
        assertThat(index.upserts()).isZero();
    }

    @Test
    void aCancelledRequestStoresNothing() {
        Deadline cancelled = Deadline.none();
        cancelled.cancel();

        assertThatThrownBy(() -> ingest.ingest(AuditKind.REMEDIATION, record("a"), null, cancelled))
                .isInstanceOf(DeadlineExceededException.class);
        assertThat(store.ids()).isEmpty();
    }

    @Test
    void anIdempotencyKeyMustBePrintableAscii() {
        assertThatThrownBy(() -> new IdempotencyKey("with space", SCOPE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdempotencyKey("", SCOPE)).isInstanceOf(IllegalArgumentException.class);
    }
}
