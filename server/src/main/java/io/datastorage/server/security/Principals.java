package io.datastorage.server.security;

import jakarta.servlet.http.HttpServletRequest;

import java.security.Principal;

/** The authenticated caller of a request, as the servlet container knows it. */
public final class Principals {
    /** The subject of an unauthenticated request (Kubernetes' own name for it). */
    public static final String ANONYMOUS = "system:anonymous";

    private Principals() {
    }

    /** The authenticated subject of {@code request}, or {@link #ANONYMOUS}. */
    public static String subject(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        return principal == null || principal.getName() == null || principal.getName().isBlank()
                ? ANONYMOUS : principal.getName();
    }
}
