package io.datastorage.auth.kubernetes;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether this service's own identity may create the reviews tokenreview mode needs (what the
 * ClusterRole {@code system:auth-delegator} grants), asked of the API server by
 * SelfSubjectAccessReview. Meant for a start-up check that tells the operator what to bind before
 * the first caller is answered 503.
 */
public final class ReviewPermissions {
    private ReviewPermissions() {}

    /**
     * @return what is missing, e.g. {@code create tokenreviews.authentication.k8s.io}; empty when
     *         both reviews may be created
     * @throws AccessReviewUnavailableException the API server could not be asked
     */
    public static List<String> missing(KubernetesClient client) {
        List<String> missing = new ArrayList<>();
        for (String[] review : new String[][]{
                {"authentication.k8s.io", "tokenreviews"}, {"authorization.k8s.io", "subjectaccessreviews"}}) {
            SelfSubjectAccessReview question = new SelfSubjectAccessReviewBuilder()
                    .withNewSpec()
                    .withResourceAttributes(new ResourceAttributesBuilder()
                            .withGroup(review[0]).withResource(review[1]).withVerb("create").build())
                    .endSpec()
                    .build();
            SelfSubjectAccessReview answer;
            try {
                answer = client.authorization().v1().selfSubjectAccessReview().create(question);
            } catch (RuntimeException e) {
                throw ApiServerFailures.unavailable("SelfSubjectAccessReview", e);
            }
            if (answer == null || answer.getStatus() == null || !Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
                missing.add("create " + review[1] + "." + review[0]);
            }
        }
        return List.copyOf(missing);
    }
}
