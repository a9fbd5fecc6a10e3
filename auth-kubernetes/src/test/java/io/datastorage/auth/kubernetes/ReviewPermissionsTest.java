package io.datastorage.auth.kubernetes;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ReviewPermissions} against the fabric8 Kubernetes mock server in expectations mode (no
 * real API server can be installed where the tests run).
 */
class ReviewPermissionsTest {
    private static final String SELF_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    private final ApiServerMock api = new ApiServerMock(Duration.ofSeconds(5));

    @AfterEach
    void stop() {
        api.close();
    }

    private void expect(boolean allowed) {
        api.server.expect().post().withPath(SELF_REVIEWS)
                .andReturn(201, new SelfSubjectAccessReviewBuilder().withNewStatus().withAllowed(allowed).endStatus().build())
                .once();
    }

    @Test
    void nothingIsMissingWhenBothReviewsMayBeCreated() {
        expect(true);
        expect(true);

        assertThat(ReviewPermissions.missing(api.client())).isEmpty();
    }

    @Test
    void aReviewThatMayNotBeCreatedIsNamed() {
        expect(true);
        expect(false);

        assertThat(ReviewPermissions.missing(api.client()))
                .containsExactly("create subjectaccessreviews.authorization.k8s.io");
    }

    @Test
    void anApiServerErrorIsUnavailable() {
        api.server.expect().post().withPath(SELF_REVIEWS).andReturn(500, "down").once();

        assertThatThrownBy(() -> ReviewPermissions.missing(api.client()))
                .isInstanceOf(AccessReviewUnavailableException.class);
    }
}
