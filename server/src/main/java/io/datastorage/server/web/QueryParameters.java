package io.datastorage.server.web;

import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldErrors;
import jakarta.servlet.http.HttpServletRequest;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The query of an endpoint that takes no query parameter, or only a few {@code true|false} flags, so
 * that nothing the client sent is silently ignored: every other parameter is refused under its own
 * name, and a flag must come once, exactly {@code true} or {@code false} ({@code yes}, {@code 1} or
 * {@code TRUE} are refused rather than read as one or the other). Every POST checks its query here
 * through {@link PostRequests}; the admin GETs and the POSTs that take a flag call it directly.
 */
final class QueryParameters {
    private static final List<String> BOOLEANS = List.of("true", "false");

    private QueryParameters() {
    }

    /**
     * Checks a query that may hold only {@code flag}; absent, it is {@code false}.
     *
     * @throws AuditValidationException naming every unknown parameter and a bad {@code flag}
     */
    static boolean flag(HttpServletRequest request, String flag) {
        return flags(request, flag).contains(flag);
    }

    /**
     * Checks a query that must hold no parameter.
     *
     * @throws AuditValidationException naming every parameter
     */
    static void none(HttpServletRequest request) {
        flags(request);
    }

    private static Set<String> flags(HttpServletRequest request, String... flags) {
        FieldErrors errors = new FieldErrors();
        List<String> allowed = List.of(flags);
        Set<String> set = check(request, errors, allowed.isEmpty() ? "this endpoint takes no query parameters"
                : "this endpoint takes only " + allowed.stream().map(f -> f + "=true|false")
                .collect(Collectors.joining(", ")), allowed);
        errors.throwIfAny();
        return set;
    }

    /**
     * Adds to {@code errors} every query parameter that is not one of {@code flags} (under its own
     * name; the message is {@code "unknown query parameter; " + takes}) and every flag not given
     * once as {@code true} or {@code false}; a query that cannot be decoded is one error on
     * {@code query}.
     *
     * @return the flags given as {@code true}
     */
    static Set<String> check(HttpServletRequest request, FieldErrors errors, String takes, List<String> flags) {
        Set<String> set = new HashSet<>();
        if (request.getQueryString() == null || request.getQueryString().isEmpty()) {
            return set; // and a form body is not read as parameters
        }
        Map<String, String[]> parameters;
        try {
            parameters = new TreeMap<>(request.getParameterMap()); // sorted: the same query, the same answer
        } catch (IllegalStateException e) { // Tomcat's InvalidParameterException, as in the listing
            errors.add("query", "could not be decoded; " + takes);
            return set;
        }
        parameters.forEach((name, values) -> {
            if (!flags.contains(name)) {
                errors.add(ListingParameters.echo(name), "unknown query parameter; " + takes);
            } else if (values.length != 1 || !BOOLEANS.contains(values[0])) {
                errors.add(name, "must be given once, as true or false; was "
                        + Arrays.stream(values).map(v -> "'" + ListingParameters.echo(v) + "'")
                        .collect(Collectors.joining(", ")));
            } else if (values[0].equals("true")) {
                set.add(name);
            }
        });
        return set;
    }
}
