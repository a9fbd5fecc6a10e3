package io.datastorage.server.security;

import io.datastorage.core.config.ConfigChecks;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code datastorage.ratelimit.*} settings: a token bucket per caller (the authenticated
 * subject; the remote address when there is none), on each replica (N replicas allow N times the
 * rate).
 *
 * @param enabled           unset: on when {@code datastorage.auth.mode} authenticates callers, off
 *                          in mode none (one machine, where the limit would only throttle the
 *                          operator's own tools and benchmarks)
 * @param requestsPerSecond the sustained rate per caller
 * @param burst             how many requests a caller idle for long may send at once
 */
@ConfigurationProperties("datastorage.ratelimit")
public record RateLimitProperties(
        Boolean enabled,
        @DefaultValue("1000") int requestsPerSecond,
        @DefaultValue("2000") int burst) {

    public RateLimitProperties {
        ConfigChecks.range("datastorage.ratelimit.requests-per-second", requestsPerSecond, 1, 1_000_000);
        ConfigChecks.range("datastorage.ratelimit.burst", burst, 1, 10_000_000);
    }

    /** Whether requests are limited under {@code mode}. */
    public boolean enabledFor(AuthMode mode) {
        return enabled == null ? mode != AuthMode.NONE : enabled;
    }
}
