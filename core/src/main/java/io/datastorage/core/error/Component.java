package io.datastorage.core.error;

import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What failed: one of the service's backends, or the request itself. Closed on purpose, so that
 * whoever maps failures (the HTTP edge, a migration's write policy) is told by the compiler when a
 * backend joins.
 */
public enum Component {
    /**
     * The request itself: its input (validation, a reused idempotency key) or its own deadline. The
     * message of such a failure is written for the client, who knows which request it was, so it
     * carries no component prefix.
     */
    REQUEST("request"),
    /** The PostgreSQL store: the system of record. */
    POSTGRESQL("PostgreSQL"),
    /** The vector index (Lucene today). */
    VECTOR_INDEX("vector index"),
    /** The model that turns texts into vectors (in process, or behind an HTTP endpoint). */
    EMBEDDER("embedder", "embedding"),
    /** The cache of computed embeddings (Caffeine in process, or Redis). */
    EMBEDDING_CACHE("embedding cache"),
    /** The store a migration moves the audit trail from (a directory of JSON files, another PostgreSQL). */
    LEGACY_STORE("legacy store"),
    /**
     * Whoever vouches for a caller: the keys that sign tokens (OIDC discovery, JWKS) or the Kubernetes
     * API server that reviews tokens and access (TokenReview, SubjectAccessReview).
     */
    IDENTITY_PROVIDER("identity provider", "api server", "jwks");

    private final String label;
    private final List<String> names;

    Component(String label, String... alsoNamedBy) {
        this.label = label;
        this.names = Stream.concat(Stream.of(label), Stream.of(alsoNamedBy))
                .map(name -> name.toLowerCase(Locale.ROOT)).toList();
    }

    /** How messages name the component, e.g. {@code vector index}. */
    public String label() {
        return label;
    }

    /**
     * Whether {@code text} names this component: its label, or a word a message already names it by
     * ({@code embedding endpoint} names the embedder), in any case.
     */
    public boolean isNamedIn(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        return names.stream().anyMatch(lower::contains);
    }

    @Override
    public String toString() {
        return label;
    }
}
