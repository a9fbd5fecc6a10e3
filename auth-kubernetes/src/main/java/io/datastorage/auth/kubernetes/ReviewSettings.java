package io.datastorage.auth.kubernetes;

import java.time.Duration;

import static io.datastorage.core.config.ConfigChecks.range;
import static io.datastorage.core.config.ConfigChecks.required;

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
        required("audience", audience);
        range("allow-ttl", allowTtl, Duration.ofMillis(1), MAX_ALLOW_TTL);
        range("deny-ttl", denyTtl, Duration.ZERO, MAX_DENY_TTL);
        range("maximum-size", Math.toIntExact(Math.min(maximumSize, Integer.MAX_VALUE)), 1, 10_000_000);
    }

    /** Audience {@code audience}, allows 60 s, denials 2 s, 10 000 answers per cache. */
    public static ReviewSettings of(String audience) {
        return new ReviewSettings(audience, MAX_ALLOW_TTL, MAX_DENY_TTL, 10_000);
    }
}
