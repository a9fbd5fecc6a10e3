package io.datastorage.auth.kubernetes;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

import java.time.Duration;
import java.util.List;

/**
 * The fabric8 Kubernetes mock server in expectations mode, with the answers these tests need.
 * No real API server can be installed where the tests run, so this stands in for one: it answers
 * exactly what each test expects, once, and counts the requests it got.
 */
final class ApiServerMock implements AutoCloseable {
    static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    static final String ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

    final KubernetesMockServer server = new KubernetesMockServer();
    private final KubernetesClient client;

    ApiServerMock(Duration timeout) {
        server.init();
        try (KubernetesClient plain = server.createClient()) {
            // The production limits (timeout, no retries) on the mock's address and trust.
            client = new KubernetesClientBuilder()
                    .withConfig(ApiServerConnection.autoConfigured(timeout).bounded(plain.getConfiguration()))
                    .build();
        }
    }

    KubernetesClient client() {
        return client;
    }

    int requests() {
        return server.getRequestCount();
    }

    static TokenReview authenticated(String user, List<String> groups, List<String> audiences) {
        return new TokenReviewBuilder()
                .withNewStatus().withAuthenticated(true).withAudiences(audiences)
                .withNewUser().withUsername(user).withGroups(groups).endUser().endStatus()
                .build();
    }

    static TokenReview unauthenticated() {
        return new TokenReviewBuilder()
                .withNewStatus().withAuthenticated(false).withError("token has expired").endStatus()
                .build();
    }

    static SubjectAccessReview allowed(boolean allowed) {
        return new SubjectAccessReviewBuilder()
                .withNewStatus().withAllowed(allowed).withReason(allowed ? "RBAC: allowed by ClusterRoleBinding" : "").endStatus()
                .build();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
