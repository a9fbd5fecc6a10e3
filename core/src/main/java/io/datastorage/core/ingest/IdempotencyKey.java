package io.datastorage.core.ingest;

import io.datastorage.core.store.IdempotencyToken;

import java.util.Objects;

/**
 * A caller's idempotency key and the scope its content is fingerprinted in: for the REST API the
 * request line ({@code POST /api/v1/audit/remediation}), so one key sent to two endpoints is two
 * requests. {@link IngestService} turns it into the {@link IdempotencyToken} the store checks.
 *
 * @throws IllegalArgumentException a key that is not 1..255 printable ASCII characters, or a null scope
 */
public record IdempotencyKey(String key, String scope) {
    public IdempotencyKey {
        if (!IdempotencyToken.isValidKey(key)) {
            throw new IllegalArgumentException("idempotency key must be 1.." + IdempotencyToken.MAX_KEY_LENGTH
                    + " printable ASCII characters");
        }
        Objects.requireNonNull(scope, "scope");
    }
}
