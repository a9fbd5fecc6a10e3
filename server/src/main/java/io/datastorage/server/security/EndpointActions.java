package io.datastorage.server.security;

import io.datastorage.core.access.Action;
import io.datastorage.core.audit.AuditKind;

import java.util.Optional;

/**
 * Which {@link Action} a request of the API asks for (README, "Endpoint → action"):
 * <ul>
 *   <li>everything under {@code /api/v1/admin} → {@code admin}, whatever the method;</li>
 *   <li>POST {@code /api/v1/audit/search} → {@code search};</li>
 *   <li>POST {@code /api/v1/audit/{kind}} and {@code /api/v1/audit/{kind}/batch} → {@code write:<kind>};</li>
 *   <li>GET (or HEAD) {@code /api/v1/audit}, {@code /api/v1/audit/{kind}} and
 *       {@code /api/v1/audit/{kind}/{id}} → {@code read}.</li>
 * </ul>
 * Anything else (an unknown kind, an unknown path, a method an endpoint does not take) maps to no
 * action: an authenticated caller gets the API's own answer (400 for an unknown kind, 404, 405),
 * which holds no record. A caller without a valid token gets 401 first, everywhere but the open paths.
 */
final class EndpointActions {
    private static final String AUDIT = "/api/v1/audit";
    private static final String ADMIN = "/api/v1/admin";

    private EndpointActions() {
    }

    /**
     * The path a request is routed by: decoded and normalized by the servlet container, as Spring
     * MVC matches it. Never the raw request URI: {@code /api/v1/%61dmin/reconcile} reaches the
     * admin controller, so it must map to {@code admin} too.
     */
    static String routedPath(jakarta.servlet.http.HttpServletRequest request) {
        String pathInfo = request.getPathInfo();
        return request.getServletPath() + (pathInfo == null ? "" : pathInfo);
    }

    /** The action of {@code method} on {@code path} (the request's {@link #routedPath}), if any. */
    static Optional<Action> of(String method, String path) {
        if (path.equals(ADMIN) || path.startsWith(ADMIN + "/")) {
            return Optional.of(Action.ADMIN);
        }
        if (!path.equals(AUDIT) && !path.startsWith(AUDIT + "/")) {
            return Optional.empty();
        }
        String[] segments = path.substring(AUDIT.length()).split("/", -1); // "", kind, ...
        int depth = segments.length - 1;
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (read) {
            return depth <= 2 ? Optional.of(Action.READ) : Optional.empty();
        }
        if (!method.equals("POST") || depth < 1) {
            return Optional.empty();
        }
        if (depth == 1 && segments[1].equals("search")) {
            return Optional.of(Action.SEARCH);
        }
        if (depth == 1 || (depth == 2 && segments[2].equals("batch"))) {
            return AuditKind.fromPathName(segments[1]).map(Action::write);
        }
        return Optional.empty();
    }
}
