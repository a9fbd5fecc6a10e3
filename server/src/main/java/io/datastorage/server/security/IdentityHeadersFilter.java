package io.datastorage.server.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Identity headers are never trusted: headers by which proxies (Kubernetes' front proxy,
 * oauth2-proxy, Grafana's auth proxy, Authelia, cloud identity-aware proxies, API gateways) tell
 * a backend who the caller is are taken out of every request before anything reads them. The
 * caller is whoever the bearer token says (or nobody, in mode none); a client that sends
 * {@code X-Remote-User: admin} gains nothing. Runs right after the correlation id filter, before
 * Spring Security and every controller, in every mode.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class IdentityHeadersFilter extends OncePerRequestFilter {
    /** Exact names, lower case. */
    static final Set<String> NAMES = Set.of(
            "remote-user", "remote-email", "remote-groups", "remote-name",
            "x-remote-user", "x-remote-group", "x-remote-groups", "x-remote-email",
            "x-forwarded-user", "x-forwarded-email", "x-forwarded-groups", "x-forwarded-preferred-username",
            "x-forwarded-access-token",
            "x-user", "x-user-id", "x-username", "x-email", "x-userinfo", "x-user-email", "x-user-groups",
            "x-authenticated-user", "x-authenticated-userid", "x-authenticated-groups", "x-authenticated-scope",
            "x-consumer-id", "x-consumer-username", "x-consumer-custom-id", "x-credential-identifier",
            "x-ms-client-principal", "x-ms-client-principal-name", "x-ms-client-principal-id",
            "x-ms-client-principal-idp", "x-ms-token-aad-access-token", "x-ms-token-aad-id-token");
    /** Prefixes, lower case: whole families of identity headers. */
    static final List<String> PREFIXES = List.of(
            "x-remote-extra-",             // Kubernetes front proxy
            "x-auth-request-",             // oauth2-proxy
            "x-webauth-",                  // Grafana's auth proxy
            "x-goog-authenticated-user-",  // Google IAP
            "x-amzn-oidc-",                // AWS ALB
            "cf-access-",                  // Cloudflare Access
            "x-pomerium-");                // Pomerium

    static boolean identityHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (NAMES.contains(lower)) {
            return true;
        }
        for (String prefix : PREFIXES) {
            if (lower.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean any = false;
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            if (identityHeader(names.nextElement())) {
                any = true;
                break;
            }
        }
        chain.doFilter(any ? new WithoutIdentityHeaders(request) : request, response);
    }

    /** The request as if the identity headers had not been sent. */
    private static final class WithoutIdentityHeaders extends HttpServletRequestWrapper {
        WithoutIdentityHeaders(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return identityHeader(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return identityHeader(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            return Collections.enumeration(Collections.list(super.getHeaderNames()).stream()
                    .filter(name -> !identityHeader(name)).toList());
        }

        @Override
        public long getDateHeader(String name) {
            return identityHeader(name) ? -1 : super.getDateHeader(name);
        }

        @Override
        public int getIntHeader(String name) {
            return identityHeader(name) ? -1 : super.getIntHeader(name);
        }
    }
}
