package io.datastorage.core.access;

import java.util.Objects;
import java.util.Optional;
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

    /**
     * The longest user or group name an identity provider may vouch for, in characters (code
     * points): a Kubernetes ServiceAccount's user name is at most 339
     * ({@code system:serviceaccount:}, a 63-character namespace, {@code :}, a 253-character name),
     * an OIDC {@code sub} at most 255 ASCII characters.
     */
    public static final int MAX_NAME_LENGTH = 512;

    /**
     * Why {@code name} (a user or group name a token or a TokenReview names) cannot stand for a
     * caller, or empty when it can. A name is refused when it is missing, blank, longer than
     * {@link #MAX_NAME_LENGTH} code points, or holds a control character (U+0000..U+001F,
     * U+007F..U+009F) or a surrogate that is not part of a pair: such a name could not be stored
     * as {@code recordedBy} (PostgreSQL refuses NUL), or would forge lines in logs. The reason
     * never quotes the name.
     */
    public static Optional<String> nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return Optional.of("is missing or blank");
        }
        int length = 0;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of("holds a control character");
            }
            if (c <= Character.MAX_VALUE && Character.isSurrogate((char) c)) {
                return Optional.of("holds an unpaired surrogate");
            }
            i += Character.charCount(c);
            if (++length > MAX_NAME_LENGTH) {
                return Optional.of("is longer than " + MAX_NAME_LENGTH + " characters");
            }
        }
        return Optional.empty();
    }

    /** Whether {@code name} may stand for a caller or a group ({@link #nameProblem}). */
    public static boolean isValidName(String name) {
        return nameProblem(name).isEmpty();
    }
}
