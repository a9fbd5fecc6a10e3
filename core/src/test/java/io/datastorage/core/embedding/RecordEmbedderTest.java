package io.datastorage.core.embedding;

import io.datastorage.core.audit.AuditDraft;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.store.NewRecord;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The write path's embedding step: an embedder failure costs the records their vectors, never the write. */
class RecordEmbedderTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private final SwitchableEmbedder model = new SwitchableEmbedder();
    private final List<Integer> failures = new ArrayList<>();
    private final RecordEmbedder embedder = new RecordEmbedder(model, failures::add);

    private static List<AuditDraft> drafts(String... names) {
        return List.of(names).stream()
                .map(name -> VALIDATOR.validate(AuditKind.REMEDIATION, AuditFixtures.remediation(name, "2026-11-20T10:00:00Z")))
                .toList();
    }

    @Test
    void embedsEveryDraftInOrder() {
        List<NewRecord> records = embedder.embed(drafts("a", "b"), Deadline.none());

        assertThat(records).extracting(r -> r.draft().name()).containsExactly("a", "b");
        assertThat(records).allMatch(NewRecord::embedded);
        assertThat(model.calls()).hasSize(1);
        assertThat(failures).isEmpty();
    }

    @Test
    void aFailingEmbedderLeavesTheRecordsWithoutVectorsAndIsCountedOncePerCall() {
        model.down(true);

        List<NewRecord> records = embedder.embed(drafts("a", "b"), Deadline.none());

        assertThat(records).hasSize(2).noneMatch(NewRecord::embedded);
        assertThat(failures).containsExactly(2);
    }

    @Test
    void aDeadlineAlreadyPassedAttemptsNoEmbedding() {
        Deadline passed = Deadline.at(CLOCK.instant().minusSeconds(1), CLOCK);

        List<NewRecord> records = embedder.embed(drafts("a"), passed);

        assertThat(records).singleElement().matches(r -> !r.embedded());
        assertThat(model.calls()).isEmpty();
        assertThat(failures).isEmpty();
    }

    @Test
    void aListenerThatThrowsDoesNotFailTheWrite() {
        RecordEmbedder throwing = new RecordEmbedder(model, texts -> {
            throw new IllegalStateException("metric failed (injected)");
        });
        model.down(true);

        assertThat(throwing.embed(drafts("a"), Deadline.none())).singleElement().matches(r -> !r.embedded());
    }

    @Test
    void storedDocumentsAreEmbeddedOrGetNullWhenTheEmbedderFails() {
        Map<String, Object> document = AuditFixtures.valid(AuditKind.WORKFLOW);

        assertThat(embedder.embedDocuments(List.of(AuditKind.WORKFLOW), List.of(document))).hasSize(1);
        model.down(true);
        assertThat(embedder.embedDocuments(List.of(AuditKind.WORKFLOW), List.of(document))).isNull();
        assertThat(failures).containsExactly(1);
    }
}
