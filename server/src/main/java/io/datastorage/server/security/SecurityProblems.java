package io.datastorage.server.security;

import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.access.Action;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The problem+json answers of authentication, authorization and rate limiting, written by the
 * security filters (which run before Spring MVC, so {@code ProblemResponses} never sees them):
 * 401 {@code unauthenticated} with {@code WWW-Authenticate: Bearer}, 403 {@code forbidden} naming
 * the refused {@code action}, 503 {@code auth-unavailable} with Retry-After when the identity
 * provider could not answer, 429 {@code rate-limited} with Retry-After.
 * <p>
 * No answer and no log line holds the token or the reason a library gives for refusing it (such
 * reasons may quote claims); the details are fixed sentences.
 */
final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler, AuthenticationFailureHandler {
    private static final Logger log = LoggerFactory.getLogger(SecurityProblems.class);
    static final String TYPE_PREFIX = "urn:datastorage:problem:";
    /** Seconds a client waits before retrying when the identity provider is down (like every 503 of the API). */
    private static final String RETRY_AFTER_UNAVAILABLE = "5";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Consumer<HttpServletRequest> invalidToken;

    /** @param invalidToken told of each request whose bearer token was refused (401), before it is answered */
    SecurityProblems(Consumer<HttpServletRequest> invalidToken) {
        this.invalidToken = invalidToken;
    }

    /** Thrown by {@link ActionAuthorization} when the access policy could not decide: answered 503. */
    static final class ReviewUnavailable extends AccessDeniedException {
        ReviewUnavailable(AccessReviewUnavailableException cause) {
            super("access review unavailable", cause);
        }
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        if (unavailable(e)) {
            identityProviderUnavailable(request, response, e);
            return;
        }
        if (e instanceof OAuth2AuthenticationException) {
            // A bearer token was sent and refused (not the anonymous request's "no token", which the rate limit
            // counted already).
            invalidToken.accept(request);
        }
        boolean tokenSent = request.getHeader(HttpHeaders.AUTHORIZATION) != null;
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, tokenSent
                ? "Bearer realm=\"datastorage\", error=\"invalid_token\"" : "Bearer realm=\"datastorage\"");
        write(request, response, HttpStatus.UNAUTHORIZED, "unauthenticated", tokenSent
                ? "The bearer token is not valid here (malformed, expired or not yet valid, not signed by a key of the "
                        + "issuer, or for another issuer or audience); send a valid token in Authorization: Bearer."
                : "This endpoint needs authentication; send a token in Authorization: Bearer.", Map.of());
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
            throws IOException {
        commence(request, response, e);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
            throws IOException {
        if (e instanceof ReviewUnavailable) {
            identityProviderUnavailable(request, response, e);
            return;
        }
        // The action of the request itself, whoever refused it: only ActionAuthorization refuses, and only a
        // request that maps to an action (one that maps to none is allowed).
        Optional<Action> action = EndpointActions.of(request.getMethod(), EndpointActions.routedPath(request));
        if (action.isEmpty()) {
            write(request, response, HttpStatus.FORBIDDEN, "forbidden", Principals.subject(request)
                    + " may not make this request (see the access policy).", Map.of());
            return;
        }
        String name = action.get().wireName();
        write(request, response, HttpStatus.FORBIDDEN, "forbidden", Principals.subject(request)
                + " may not take the action " + name + " (see the access policy).", Map.of("action", name));
    }

    /**
     * Whether authentication failed because nobody could vouch for the token (the JWKS, its
     * discovery or the API server could not be reached, or a refresh of the keys was held back by
     * their rate limit), not because the token is bad: the client is told to retry, and keeps its token.
     */
    private static boolean unavailable(AuthenticationException e) {
        return e instanceof AuthenticationServiceException;
    }

    private static void identityProviderUnavailable(HttpServletRequest request, HttpServletResponse response,
                                                    Exception e) throws IOException {
        // The cause's class only: messages of JOSE and HTTP clients may quote a token or a URL with credentials.
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        log.warn("Answered 503, the identity provider could not review a request ({})", root.getClass().getSimpleName());
        response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_UNAVAILABLE);
        write(request, response, HttpStatus.SERVICE_UNAVAILABLE, "auth-unavailable",
                "The identity provider is unavailable; the request could not be authenticated or authorized. Retry later.",
                Map.of());
    }

    /** 429 with Retry-After. */
    static void rateLimited(HttpServletRequest request, HttpServletResponse response, long retryAfterSeconds)
            throws IOException {
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        write(request, response, HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests from "
                + "this caller; retry after " + retryAfterSeconds + " second(s).", Map.of());
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String type,
                              String detail, Map<String, Object> members) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TYPE_PREFIX + type);
        problem.put("title", status.getReasonPhrase());
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        problem.putAll(members);
        byte[] body = JSON.writeValueAsBytes(problem);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
