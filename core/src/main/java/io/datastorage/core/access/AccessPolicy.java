package io.datastorage.core.access;

/**
 * Decides whether an authenticated subject may take an action. Implementations: a policy file
 * mapping subjects and groups to actions (jwt mode), Kubernetes SubjectAccessReview (tokenreview mode).
 */
public interface AccessPolicy {

    /**
     * @return the decision; never null
     * @throws AccessReviewUnavailableException when the policy could not decide (its reviewer is
     *         down or too slow): the caller is told to retry (503), never refused
     */
    Decision decide(Subject subject, Action action);
}
