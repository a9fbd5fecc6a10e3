package io.datastorage.server.web;

import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldErrors;
import jakarta.servlet.http.HttpServletRequest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every POST checks before it reads its body, so that nothing the client sent is silently
 * ignored: a POST takes everything from its body and headers, so any query parameter is refused
 * under its own name (as the listing refuses parameters it does not know), and a header that
 * carries one value must come once ({@code Idempotency-Key: a} twice would otherwise be read as
 * the key {@code a,a}; two {@code Content-Type} headers would be read as the first).
 */
final class PostRequests {
    private PostRequests() {
    }

    /**
     * @throws AuditValidationException naming every query parameter and every repeated header
     */
    static void check(HttpServletRequest request, String... singleHeaders) {
        FieldErrors errors = new FieldErrors();
        QueryParameters.check(request, errors, "this endpoint takes no query parameters, only a JSON body", List.of());
        List<String> once = new ArrayList<>(List.of(singleHeaders));
        once.add("Content-Type"); // two would be read as the first; the body's meaning must not be a guess
        for (String header : once) {
            int count = Collections.list(request.getHeaders(header)).size();
            if (count > 1) {
                errors.add(header, "header must be given once, was given " + count + " times");
            }
        }
        errors.throwIfAny();
    }
}
