package io.datastorage.server.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.RequestPath;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Answers 400 to a request whose path Spring cannot parse, before any of Spring's filters tries.
 * Tomcat decodes a path's segments but leaves their path parameters ({@code ;name=value}, RFC 3986
 * section 3.3) as they came; Spring's {@link RequestPath} decodes those too and throws on a
 * malformed escape ({@code %} not followed by two hex digits). Spring Security's request-path
 * filter and the actuator parse every path this way, so {@code GET /healthz;%} was answered 500
 * on both ports (found by the no-5xx property).
 * The answer is the container's own 400, which {@link ProblemReportValve} writes as a problem.
 *
 * <p>Registered in the main context and, through {@link ContainerErrors.ManagementChild}, on the
 * management port.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class UndecodablePathFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            RequestPath.parse(request.getRequestURI(), request.getContextPath());
        } catch (IllegalArgumentException e) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                    "a path parameter (after ';') holds a malformed percent-escape ('%' must be followed by two hex digits)");
            return;
        }
        chain.doFilter(request, response);
    }
}
