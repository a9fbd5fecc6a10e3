package io.datastorage.server.web;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.error.TransientException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failure the HTTP edge has no answer of its own for is answered by its branch: any component's
 * transient failure 503 with Retry-After, a permanent one its status, never with internals.
 */
class ProblemResponsesBranchTest {
    private static final String INTERNALS = "host db-7.internal:5432 said FATAL";

    private final ProblemResponses problems = new ProblemResponses();

    /** A transient failure no one has written an answer for yet. */
    static final class NewTransientException extends TransientException {
        NewTransientException(Component component) {
            super(component, named(component, INTERNALS), new IOException(INTERNALS));
        }
    }

    /** A permanent failure no one has written an answer for yet. */
    static final class NewPermanentException extends PermanentException {
        NewPermanentException(Component component, String message) {
            super(component, message, new IOException(INTERNALS));
        }
    }

    @Property
    void aNewTransientFailureOfAnyComponentIsA503WithRetryAfter(@ForAll Component component, @ForAll boolean write) {
        ResponseEntity<ProblemDetail> answer = problems.retryable(new NewTransientException(component), request(write));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
        ProblemDetail body = answer.getBody();
        assertThat(body.getStatus()).isEqualTo(503);
        assertThat(body.getType().toString()).matches("urn:datastorage:problem:(unavailable|index-unavailable|embedding-unavailable|auth-unavailable)");
        assertThat(body.getDetail()).endsWith("Retry later.").doesNotContain("db-7", "FATAL", "Exception")
                .doesNotContain("nothing was stored"); // a failure nobody answered for does not know that
        assertThat(body.getProperties()).isNullOrEmpty();
    }

    @Property
    void aNewPermanentFailureOfAComponentIsA500WithoutItsInternals(@ForAll Component component, @ForAll boolean write) {
        if (component == Component.REQUEST) {
            return;
        }
        ProblemDetail body = problems.permanent(new NewPermanentException(component, component.label() + ": " + INTERNALS), request(write));

        assertThat(body.getStatus()).isEqualTo(500);
        assertThat(body.getType().toString()).isEqualTo("urn:datastorage:problem:internal");
        assertThat(body.getDetail()).isEqualTo(write ? "An unexpected error occurred; nothing was stored."
                : "An unexpected error occurred.");
        assertThat(body.getProperties()).isNullOrEmpty();
    }

    @Property
    void aNewPermanentFailureOfTheRequestIsA400SayingWhatIsWrong(@ForAll boolean write) {
        ProblemDetail body = problems.permanent(new NewPermanentException(Component.REQUEST,
                "the cursor was issued for another listing"), request(write));

        assertThat(body.getStatus()).isEqualTo(400);
        assertThat(body.getType().toString()).isEqualTo("urn:datastorage:problem:bad-request");
        assertThat(body.getDetail()).isEqualTo("the cursor was issued for another listing");
        assertThat(body.getProperties()).isNullOrEmpty();
    }

    private static MockHttpServletRequest request(boolean write) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/anything");
        if (write) {
            request.setAttribute(ProblemResponses.WRITE_ATTRIBUTE, Boolean.TRUE);
        }
        return request;
    }
}
