package io.datastorage.server.web;

import io.datastorage.core.migration.LegacyRecordConflictException;
import io.datastorage.core.migration.LegacyRecordRefusedException;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.core.migration.PhaseChangedException;
import io.datastorage.core.error.Component;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.RecordConflictException;
import io.datastorage.core.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The migration's failures as the HTTP edge answers them. */
class MigrationProblemsTest {
    private final ProblemResponses problems = new ProblemResponses();

    private static MockHttpServletRequest write() {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setAttribute(ProblemResponses.WRITE_ATTRIBUTE, Boolean.TRUE);
        return request;
    }

    @Test
    void aRecordStoredWithOtherContentOnEitherSideIsA409RecordConflictNamingOnlyTheRecord() {
        UUID id = UUID.randomUUID();
        for (var conflict : new io.datastorage.core.error.PermanentException[]{new RecordConflictException(id),
                new LegacyRecordConflictException(id, "legacy-key-7")}) {
            ProblemDetail body = problems.recordConflict(conflict);

            assertThat(body.getStatus()).isEqualTo(409);
            assertThat(body.getType().toString()).isEqualTo("urn:datastorage:problem:record-conflict");
            assertThat(body.getDetail()).contains(id.toString()).doesNotContain("legacy-key-7");
        }
    }

    @Test
    void aRecordTheLegacyLayoutCannotHoldIsA422NotA500() {
        // an integer id column refuses every UUID: the request is valid, the deployment cannot store it
        UUID id = UUID.randomUUID();
        ProblemDetail body = problems.legacyRefused(new LegacyRecordRefusedException(id,
                "its key '" + id + "' does not fit the id column event_id (int8)"));

        assertThat(body.getStatus()).isEqualTo(422);
        assertThat(body.getType().toString()).isEqualTo("urn:datastorage:problem:legacy-store-refused");
        assertThat(body.getDetail()).isEqualTo("The legacy store cannot hold record " + id + ": its key '" + id
                + "' does not fit the id column event_id (int8); nothing was stored.");
    }

    @Test
    void aPhaseChangeThatEscapesTheRouterIsA503SayingNothingWasStored() {
        ResponseEntity<ProblemDetail> answer = problems.retryable(new PhaseChangedException(3, 5), write());

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        assertThat(answer.getBody().getType().toString()).isEqualTo("urn:datastorage:problem:unavailable");
        assertThat(answer.getBody().getDetail()).contains("migration phase changed").contains("nothing was stored");
    }

    @Test
    void anUnavailableLegacyStoreIsA503NamingItAndAWriteSaysNothingWasStored() {
        for (TransientException failure : List.of(
                new LegacyStoreUnavailableException("host legacy-db:5432 refused", new IOException("refused")),
                new StoreUnavailableException(Component.LEGACY_STORE, "host legacy-db:5432 refused; the write was undone",
                        new IOException("refused")))) {
            ResponseEntity<ProblemDetail> answer = problems.retryable(failure, write());

            assertThat(answer.getStatusCode().value()).isEqualTo(503);
            assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
            assertThat(answer.getBody().getType().toString()).isEqualTo("urn:datastorage:problem:unavailable");
            assertThat(answer.getBody().getDetail()).isEqualTo("The legacy store is unavailable; nothing was stored. Retry later.");
        }
    }

    @Test
    void anUnavailableLegacyStoreOnAReadSaysOnlyThatItCouldNotBeAnswered() {
        ResponseEntity<ProblemDetail> answer = problems.retryable(
                new LegacyStoreUnavailableException("host legacy-db:5432 refused", null), new MockHttpServletRequest());

        assertThat(answer.getBody().getDetail()).startsWith("The legacy store is unavailable")
                .doesNotContain("nothing was stored").doesNotContain("legacy-db");
    }

    @Test
    void aMigrationWriteThatCouldNotBeUndoneIsOutcomeUnknown() {
        ResponseEntity<ProblemDetail> answer = problems.retryable(new CommitOutcomeUnknownException(Component.LEGACY_STORE,
                "the undo failed", null), write());

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getBody().getType().toString()).isEqualTo("urn:datastorage:problem:outcome-unknown");
        assertThat(answer.getBody().getDetail()).contains("may have been stored").contains("same Idempotency-Key");
    }
}
