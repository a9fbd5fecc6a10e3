package io.datastorage.server.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Puts the request's correlation id into the logging context (key {@code correlationId}) and the
 * response header {@code X-Correlation-ID}. A well-formed id from the client is kept; otherwise
 * one is generated. Being the first filter, it also records when the request arrived
 * ({@link #arrivedAt}), the instant a write's deadline runs from.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class CorrelationIdFilter extends OncePerRequestFilter {
    public static final String HEADER = "X-Correlation-ID";
    public static final String MDC_KEY = "correlationId";
    /** Request attribute holding the {@link Instant} the request reached this filter. */
    static final String ARRIVED_AT = CorrelationIdFilter.class.getName() + ".arrivedAt";
    private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:/-]{1,128}");

    private final Clock clock;

    public CorrelationIdFilter(Clock clock) {
        this.clock = clock;
    }

    /** When the request arrived; now, for a request that did not pass the filter (never in the service). */
    static Instant arrivedAt(HttpServletRequest request, Clock clock) {
        return request.getAttribute(ARRIVED_AT) instanceof Instant arrived ? arrived : clock.instant();
    }

    /** The client's id when well-formed, else a new one. */
    static String idFor(String given) {
        return given != null && WELL_FORMED.matcher(given).matches() ? given : UUID.randomUUID().toString();
    }

    private static final Pattern CHARSET_PARAMETER = Pattern.compile("(?i);\\s*charset\\s*=\\s*(\"[^\"]*\"|[^;,]*)");

    /**
     * The request with every {@code charset} parameter taken out of its {@code Accept} header.
     * Every answer is UTF-8 JSON (RFC 8259 section 8.1); left in, {@code Accept: application/json;
     * charset=utf-16} made Spring write the answer in that charset, which failed after a write
     * had committed, and the stored record was answered 500 (found by the no-5xx property).
     */
    static HttpServletRequest withoutAcceptCharsets(HttpServletRequest request) {
        String accept = request.getHeader("Accept");
        if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("charset")) {
            return request;
        }
        return new HttpServletRequestWrapper(request) {
            @Override
            public String getHeader(String name) {
                String value = super.getHeader(name);
                return "Accept".equalsIgnoreCase(name) && value != null ? strip(value) : value;
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                if (!"Accept".equalsIgnoreCase(name)) {
                    return super.getHeaders(name);
                }
                return Collections.enumeration(Collections.list(super.getHeaders(name)).stream()
                        .map(CorrelationIdFilter::strip).toList());
            }
        };
    }

    private static String strip(String accept) {
        return CHARSET_PARAMETER.matcher(accept).replaceAll("");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        request.setAttribute(ARRIVED_AT, clock.instant());
        // The management port's Tomcat sets it in a valve (ContainerErrors): keep that one.
        String id = response.getHeader(HEADER) != null ? response.getHeader(HEADER) : idFor(request.getHeader(HEADER));
        MDC.put(MDC_KEY, id);
        response.setHeader(HEADER, id);
        try {
            chain.doFilter(withoutAcceptCharsets(request), response);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }
}
