package io.datastorage.core.store;

import java.util.Objects;

/**
 * The client's {@code Idempotency-Key} and a fingerprint of what the request asked for (method,
 * path and canonical body). Equal fingerprints mean "the same request".
 */
public record IdempotencyToken(String key, String fingerprint) {
    /** Keys are 1..255 printable ASCII characters. */
    public static final int MAX_KEY_LENGTH = 255;

    public IdempotencyToken {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!isValidKey(key)) {
            throw new IllegalArgumentException("idempotency key must be 1.." + MAX_KEY_LENGTH
                    + " printable ASCII characters");
        }
    }

    public static boolean isValidKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= MAX_KEY_LENGTH
                && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
