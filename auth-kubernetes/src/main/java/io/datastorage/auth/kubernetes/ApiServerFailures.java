package io.datastorage.auth.kubernetes;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.file.FileSystemException;

/**
 * Turns a failed call to the API server into the caller's answer: always "could not review" (503),
 * never "unauthenticated" or "forbidden", whatever the status. A 5xx, a timeout or a refused
 * connection is the API server's trouble; a 401/403 means this service's own ServiceAccount may not
 * create reviews (an operator's fix, not the caller's fault); anything else is unexpected. Messages
 * name the review and the status, never the request body (which carries the token).
 */
final class ApiServerFailures {
    private ApiServerFailures() {}

    static AccessReviewUnavailableException unavailable(String review, RuntimeException failure) {
        if (failure instanceof KubernetesClientException k && k.getCode() > 0) {
            int code = k.getCode();
            String why = code == 401 || code == 403
                    ? "; this service's ServiceAccount needs the ClusterRole system:auth-delegator"
                    : "";
            return new AccessReviewUnavailableException(
                    "api server answered HTTP " + code + " to a " + review + why, failure);
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof FileSystemException) {
            // The token file this service presents (datastorage.auth.kubernetes.token-file) is missing or unreadable.
            return new AccessReviewUnavailableException(
                    "api server not asked for a " + review + ": this service's token file cannot be read ("
                            + root.getClass().getSimpleName() + ")", failure);
        }
        return new AccessReviewUnavailableException(
                "api server unreachable or too slow for a " + review + " (" + root.getClass().getSimpleName() + ")",
                failure);
    }
}
