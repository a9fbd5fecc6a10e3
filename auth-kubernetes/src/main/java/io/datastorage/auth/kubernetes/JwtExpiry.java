package io.datastorage.auth.kubernetes;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The {@code exp} claim of a token that looks like a JWT, read without checking its signature.
 *
 * <p>Hand-written rather than a JOSE library on purpose: nothing here is trusted. The API server
 * has already said whether the token is valid; the claim only shortens how long that answer is
 * cached, so a forged {@code exp} can at worst make the cache forget sooner. A JOSE library would
 * add a dependency to decode one base64url segment.
 */
final class JwtExpiry {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JwtExpiry() {}

    /** The token's expiry, or empty when it is not a JWT or carries no numeric {@code exp}. */
    static Optional<Instant> of(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode exp = JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).get("exp");
            if (exp == null || !exp.isNumber()) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochSecond(exp.asLong()));
        } catch (RuntimeException notJson) {
            return Optional.empty();
        }
    }
}
