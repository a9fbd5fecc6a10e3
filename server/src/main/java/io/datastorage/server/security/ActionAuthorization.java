package io.datastorage.server.security;

import io.datastorage.core.access.AccessPolicy;
import io.datastorage.core.access.AccessReviewUnavailableException;
import io.datastorage.core.access.Action;
import io.datastorage.core.access.Decision;
import io.datastorage.core.access.Subject;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Authorizes a request of the API: maps it to its {@link Action} ({@link EndpointActions}), builds
 * the {@link Subject} (the authenticated name and the {@code groups} claim or attribute, when the
 * token carries one) and asks the {@link AccessPolicy}. An unauthenticated caller is refused
 * before any action is considered (401 by the entry point); a request that maps to no action is
 * allowed to any authenticated caller (the API answers it 400, 404 or 405). A policy that cannot
 * decide makes the answer 503, never 403.
 */
final class ActionAuthorization implements AuthorizationManager<RequestAuthorizationContext> {
    private static final Logger log = LoggerFactory.getLogger(ActionAuthorization.class);
    /** The claim (jwt) or attribute (tokenreview) holding the caller's groups. */
    static final String GROUPS = "groups";

    private final AccessPolicy policy;

    ActionAuthorization(AccessPolicy policy) {
        this.policy = policy;
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication,
                                         RequestAuthorizationContext context) {
        Authentication caller = authentication.get();
        if (caller == null || !caller.isAuthenticated() || caller instanceof AnonymousAuthenticationToken
                || !Subject.isValidName(caller.getName())) {
            // Never reached with a name the token validators refused (401 before); kept so that no such
            // caller is ever authorized.
            return new AuthorizationDecision(false);
        }
        HttpServletRequest request = context.getRequest();
        Optional<Action> action = EndpointActions.of(request.getMethod(), EndpointActions.routedPath(request));
        if (action.isEmpty()) {
            return new AuthorizationDecision(true);
        }
        Decision decision;
        try {
            decision = policy.decide(new Subject(caller.getName(), groups(caller)), action.get());
        } catch (AccessReviewUnavailableException e) {
            throw new SecurityProblems.ReviewUnavailable(e);
        }
        if (!decision.allowed()) {
            log.info("Refused {} to {}: {}", action.get().wireName(), caller.getName(), decision.reason());
        }
        return new AuthorizationDecision(decision.allowed());
    }

    /**
     * The groups the identity provider put the caller in; empty when it says none (Kubernetes' JWTs
     * carry none). A name that could not stand for a group ({@link Subject#nameProblem}: blank, too
     * long, a control character) is dropped: it can only take grants away, never add one.
     */
    static Set<String> groups(Authentication caller) {
        Object principal = caller.getPrincipal();
        Object groups = switch (principal) {
            case ClaimAccessor claims -> claims.getClaims().get(GROUPS);
            case OAuth2AuthenticatedPrincipal attributes -> attributes.getAttribute(GROUPS);
            case null, default -> null;
        };
        Set<String> names = new LinkedHashSet<>();
        if (groups instanceof Collection<?> list) {
            for (Object group : list) {
                if (group instanceof String name && Subject.isValidName(name)) {
                    names.add(name);
                }
            }
        } else if (groups instanceof String single && Subject.isValidName(single)) {
            names.add(single);
        }
        return names;
    }
}
