package io.datastorage.server.security;

/**
 * How callers of the API are authenticated ({@code datastorage.auth.mode}). README, "Authentication
 * and authorization", says what each one answers.
 */
public enum AuthMode {
    /**
     * Nobody is authenticated and everything is allowed: the embedded shape on one machine. The API
     * then listens on the loopback address only, unless
     * {@code datastorage.auth.allow-unauthenticated-remote=true}.
     */
    NONE,
    /** Bearer JWTs (Kubernetes projected ServiceAccount tokens) checked locally against the issuer's keys; a policy file authorizes. */
    JWT,
    /** Bearer tokens reviewed by the Kubernetes API server (TokenReview), authorized by SubjectAccessReview. */
    TOKENREVIEW
}
