package io.datastorage.core.access;

import java.util.Objects;
import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param name   the subject, e.g. {@code system:serviceaccount:<namespace>:<name>} for a Kubernetes
 *               ServiceAccount; never blank
 * @param groups the groups the identity provider put the caller in (e.g. {@code system:serviceaccounts}); may be empty
 */
public record Subject(String name, Set<String> groups) {
    public Subject {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a subject has a name");
        }
        groups = Set.copyOf(groups);
    }
}
