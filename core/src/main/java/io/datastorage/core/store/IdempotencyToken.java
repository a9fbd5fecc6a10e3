package io.datastorage.core.store;

import java.util.Objects;

/**
 * The client's {@code Idempotency-Key} and a fingerprint of what the request asked for (method,
 * path and canonical body). Equal fingerprints mean "the same request".
 *
 * @param fingerprint       the fingerprint stored with a newly claimed key
 * @param legacyFingerprint the same request's fingerprint as an earlier version computed it, or
 *                          null: a key stored by that version still matches it (see {@link #sameRequest})
 */
public record IdempotencyToken(String key, String fingerprint, String legacyFingerprint) {
    /** Keys are 1..255 printable ASCII characters. */
    public static final int MAX_KEY_LENGTH = 255;

    public IdempotencyToken(String key, String fingerprint) {
        this(key, fingerprint, null);
    }

    public IdempotencyToken {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!isValidKey(key)) {
            throw new IllegalArgumentException("idempotency key must be 1.." + MAX_KEY_LENGTH
                    + " printable ASCII characters");
        }
    }

    /** Whether a key stored with {@code storedFingerprint} was claimed by this same request. */
    public boolean sameRequest(String storedFingerprint) {
        return fingerprint.equals(storedFingerprint) || (legacyFingerprint != null && legacyFingerprint.equals(storedFingerprint));
    }

    public static boolean isValidKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= MAX_KEY_LENGTH
                && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
