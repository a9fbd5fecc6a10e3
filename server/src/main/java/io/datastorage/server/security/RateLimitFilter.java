package io.datastorage.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
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
        String caller = subject.equals(Principals.ANONYMOUS) ? "address:" + request.getRemoteAddr() : "subject:" + subject;
        ConsumptionProbe probe = buckets.get(caller, key -> Bucket.builder().addLimit(bandwidth).build())
                .tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            chain.doFilter(request, response);
            return;
        }
        long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
        SecurityProblems.rateLimited(request, response, seconds);
    }
}
