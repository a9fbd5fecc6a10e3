package io.datastorage.auth.kubernetes;

import java.time.Duration;
import java.util.Objects;

/**
 * How tokens and accesses are reviewed and how long answers are kept.
 *
 * @param audience    the audience a token must have been issued for: sent as the TokenReview's
 *                    {@code spec.audiences} and required back in its {@code status.audiences}, so a
 *                    token minted for another service (or for the API server itself) is refused;
 *                    never blank
 * @param allowTtl    the longest an allow (an authenticated token, a granted access) is served from
 *                    the cache; a token's own expiry shortens it. 1 ms..60 s: longer would let a
 *                    revoked grant live on past what the issue allows
 * @param denyTtl     the longest a denial (a token not authenticated, a refused access) is served
 *                    from the cache, so a grant takes effect within it. 0..2 s (0: never cached)
 * @param maximumSize the most answers each cache holds (tokens; subject/action pairs); 1..10 000 000
 */
public record ReviewSettings(String audience, Duration allowTtl, Duration denyTtl, long maximumSize) {

    /** The bounds the issue sets: allows at most 60 s. */
    public static final Duration MAX_ALLOW_TTL = Duration.ofSeconds(60);
    /** The bounds the issue sets: denials at most 2 s. */
    public static final Duration MAX_DENY_TTL = Duration.ofSeconds(2);

    public ReviewSettings {
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(allowTtl, "allowTtl");
        Objects.requireNonNull(denyTtl, "denyTtl");
        if (audience.isBlank()) {
            throw new IllegalArgumentException("audience must not be blank");
        }
        if (allowTtl.compareTo(Duration.ofMillis(1)) < 0 || allowTtl.compareTo(MAX_ALLOW_TTL) > 0) {
            throw new IllegalArgumentException("allowTtl must be 1ms..60s, was " + allowTtl);
        }
        if (denyTtl.isNegative() || denyTtl.compareTo(MAX_DENY_TTL) > 0) {
            throw new IllegalArgumentException("denyTtl must be 0..2s, was " + denyTtl);
        }
        if (maximumSize < 1 || maximumSize > 10_000_000) {
            throw new IllegalArgumentException("maximumSize must be 1..10000000, was " + maximumSize);
        }
    }

    /** Audience {@code audience}, allows 60 s, denials 2 s, 10 000 answers per cache. */
    public static ReviewSettings of(String audience) {
        return new ReviewSettings(audience, MAX_ALLOW_TTL, MAX_DENY_TTL, 10_000);
    }
}
