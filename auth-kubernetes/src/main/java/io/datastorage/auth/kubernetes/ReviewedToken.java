package io.datastorage.auth.kubernetes;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A token the API server authenticated for our audience. Holds no part of the token.
 *
 * @param subject   the user name, e.g. {@code system:serviceaccount:<namespace>:<name>}; never blank
 * @param groups    the user's groups, in the API server's order (e.g. {@code system:serviceaccounts},
 *                  {@code system:serviceaccounts:<namespace>}, {@code system:authenticated})
 * @param expiresAt when the token expires, read from its {@code exp} claim if it is a JWT; empty
 *                  when unknown. Bounds only how long the review is cached: the API server, not this
 *                  claim, decides whether the token is valid
 */
public record ReviewedToken(String subject, List<String> groups, Optional<Instant> expiresAt) {
    public ReviewedToken {
        Objects.requireNonNull(subject, "subject");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("a reviewed token has a subject");
        }
        groups = List.copyOf(groups);
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
