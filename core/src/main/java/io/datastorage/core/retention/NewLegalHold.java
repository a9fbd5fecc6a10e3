package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditLimits;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.FieldError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A legal hold as asked for, before it is stored: see {@link LegalHold}.
 *
 * @param expiresAt {@code null}: the hold lasts until released
 */
public record NewLegalHold(String correlationId, String namespace, String reason, Instant expiresAt) {
    /** The longest reason, in characters (Unicode code points). */
    public static final int MAX_REASON_CHARS = 1024;

    /**
     * What is wrong with it at {@code now}, one error per field: exactly one of correlationId and
     * namespace, checked as a record's field of that name is
     * ({@link AuditValidator#identifierProblem}: not blank, at most
     * {@value AuditLimits#MAX_IDENTIFIER_CHARS} characters, no NUL, no unpaired surrogate), so that
     * a hold names only what a record can carry; a reason that is not blank, has no NUL or unpaired
     * surrogate ({@link AuditValidator#unstorableCharacter}) and is at most
     * {@value #MAX_REASON_CHARS} characters; an expiry in the future.
     */
    public List<FieldError> errors(Instant now) {
        List<FieldError> errors = new ArrayList<>();
        if ((correlationId == null) == (namespace == null)) {
            errors.add(new FieldError(correlationId == null ? "" : "namespace",
                    "a legal hold names exactly one of correlationId and namespace"));
        } else {
            String field = correlationId != null ? "correlationId" : "namespace";
            String problem = AuditValidator.identifierProblem(correlationId != null ? correlationId : namespace);
            if (problem != null) {
                errors.add(new FieldError(field, problem));
            }
        }
        String bad = reason == null ? null : AuditValidator.unstorableCharacter(reason);
        if (reason == null || reason.isBlank()) {
            errors.add(new FieldError("reason", "is required and must not be blank"));
        } else if (bad != null) {
            errors.add(new FieldError("reason", "must not contain " + bad));
        } else if (reason.codePointCount(0, reason.length()) > MAX_REASON_CHARS) {
            errors.add(new FieldError("reason", "must be at most " + MAX_REASON_CHARS + " characters, was "
                    + reason.codePointCount(0, reason.length())));
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            errors.add(new FieldError("expiresAt", "must lie in the future"));
        }
        return errors;
    }
}
