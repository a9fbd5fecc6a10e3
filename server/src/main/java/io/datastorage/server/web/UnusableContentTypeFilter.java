package io.datastorage.server.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;

/**
 * Hides a {@code Content-Type} that is not a concrete media type ({@code *}{@code /*}, {@code text/*}
 * or one that does not parse) from requests other than POST, which carry no body the service reads.
 * Spring's actuator handlers read the header of every request, GET included, and refused such a
 * value with an exception: {@code GET /healthz} with {@code Content-Type: *}{@code /*} was answered
 * 500 (found by the no-5xx property). POST keeps its header: the API's POST endpoints answer a
 * Content-Type they cannot read with a 415 that names it.
 *
 * <p>Registered in the main context and, through {@link ContainerErrors.ManagementChild}, on the
 * management port.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class UnusableContentTypeFilter extends OncePerRequestFilter {
    private static final String CONTENT_TYPE = "Content-Type";

    /** Whether {@code value} is a media type Spring can hand to a handler: parsed, no wildcard. */
    static boolean usable(String value) {
        try {
            MediaType type = MediaType.parseMediaType(value);
            return !type.isWildcardType() && !type.isWildcardSubtype();
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getHeader(CONTENT_TYPE);
        if (contentType == null || "POST".equals(request.getMethod()) || usable(contentType)) {
            chain.doFilter(request, response);
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public String getContentType() {
                return null;
            }

            @Override
            public String getHeader(String name) {
                return CONTENT_TYPE.equalsIgnoreCase(name) ? null : super.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                return CONTENT_TYPE.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
            }

            @Override
            public Enumeration<String> getHeaderNames() {
                return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                        .filter(name -> !CONTENT_TYPE.equalsIgnoreCase(name)).toList());
            }
        }, response);
    }
}
