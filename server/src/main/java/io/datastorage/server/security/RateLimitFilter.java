package io.datastorage.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A token bucket (Bucket4j) per caller: the authenticated subject, or the remote address of a
 * request without one. Over the limit, 429 {@code rate-limited} with Retry-After in whole seconds
 * (at least 1). Runs in the security filter chain after authentication, so a caller is counted by
 * its token's subject however many addresses it comes from.
 * <p>
 * A failed authentication (an invalid bearer token, answered 401) is taken from the bucket of the
 * request's remote address ({@link #countFailedAuthentication}), and {@link #addressGate()},
 * placed before authentication, answers 429 to every request from an address whose bucket is
 * empty, before its token is checked: a flood of bad tokens is throttled before it costs a JWT
 * validation or a TokenReview. Requests the {@code exempt} predicate matches (the management
 * port, the open paths) are never limited nor counted.
 * <p>
 * Memory is bounded: buckets live in a Caffeine cache that drops a bucket once it has been idle
 * long enough to be full again (a new bucket is then the same as the old one), and holds at most
 * {@link #MAX_CALLERS} of them (beyond that the least recently used go, which can only be lenient).
 * The limit is per replica.
 */
final class RateLimitFilter extends OncePerRequestFilter {
    static final int MAX_CALLERS = 100_000;

    private final Cache<String, Bucket> buckets;
    private final Bandwidth bandwidth;
    private final Predicate<HttpServletRequest> exempt;

    RateLimitFilter(RateLimitProperties settings, Predicate<HttpServletRequest> exempt) {
        this.bandwidth = Bandwidth.builder().capacity(settings.burst())
                .refillGreedy(settings.requestsPerSecond(), Duration.ofSeconds(1)).build();
        long refillNanos = TimeUnit.SECONDS.toNanos(1) * settings.burst() / settings.requestsPerSecond();
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(Duration.ofNanos(refillNanos).plusSeconds(1))
                .maximumSize(MAX_CALLERS)
                .build();
        this.exempt = exempt;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (exempt.test(request)) {
            chain.doFilter(request, response);
            return;
        }
        String subject = Principals.subject(request);
        String caller = subject.equals(Principals.ANONYMOUS) ? address(request) : "subject:" + subject;
        ConsumptionProbe probe = bucket(caller).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            chain.doFilter(request, response);
            return;
        }
        SecurityProblems.rateLimited(request, response, seconds(probe.getNanosToWaitForRefill()));
    }

    /**
     * Takes one token from the bucket of {@code request}'s remote address: its bearer token was
     * refused (401). Nothing when the request is exempt.
     */
    void countFailedAuthentication(HttpServletRequest request) {
        if (!exempt.test(request)) {
            bucket(address(request)).tryConsume(1);
        }
    }

    /**
     * The filter to place before authentication: a request from an address whose bucket is empty
     * (its unauthenticated requests and failed authentications used it up) is answered 429 before
     * its token is checked. Takes nothing from the bucket.
     */
    OncePerRequestFilter addressGate() {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                Bucket bucket = exempt.test(request) ? null : buckets.getIfPresent(address(request));
                EstimationProbe probe = bucket == null ? null : bucket.estimateAbilityToConsume(1);
                if (probe == null || probe.canBeConsumed()) {
                    chain.doFilter(request, response);
                    return;
                }
                SecurityProblems.rateLimited(request, response, seconds(probe.getNanosToWaitForRefill()));
            }
        };
    }

    private Bucket bucket(String caller) {
        return buckets.get(caller, key -> Bucket.builder().addLimit(bandwidth).build());
    }

    private static String address(HttpServletRequest request) {
        return "address:" + request.getRemoteAddr();
    }

    private static long seconds(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L));
    }
}
