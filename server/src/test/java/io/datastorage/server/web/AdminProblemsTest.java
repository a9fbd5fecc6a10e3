package io.datastorage.server.web;

import io.datastorage.core.reconcile.ReconcileJob;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

import java.util.concurrent.CancellationException;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconciliation's failures as the HTTP edge answers them. */
class AdminProblemsTest {

    @Test
    void aReconciliationStoppedByTheShutdownIsA503WithRetryAfterNotA500() {
        AdminController admin = new AdminController(new StaticListableBeanFactory().getBeanProvider(ReconcileJob.class));

        ResponseEntity<ProblemDetail> answer = admin.stopped(new CancellationException("the service is shutting down"));

        assertThat(answer.getStatusCode().value()).isEqualTo(503);
        assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isNotBlank();
        assertThat(answer.getBody().getType().toString()).isEqualTo("urn:datastorage:problem:unavailable");
        assertThat(answer.getBody().getDetail()).contains("the service is shutting down")
                .contains("what it repaired stays repaired");
    }
}
