package io.datastorage.core.retention;

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

    /**
     * What is wrong with it at {@code now}, one error per field: exactly one of correlationId and
     * namespace, neither blank; a reason that is not blank; an expiry in the future.
     */
    public List<FieldError> errors(Instant now) {
        List<FieldError> errors = new ArrayList<>();
        if ((correlationId == null) == (namespace == null)) {
            errors.add(new FieldError(correlationId == null ? "" : "namespace",
                    "a legal hold names exactly one of correlationId and namespace"));
        } else if (correlationId != null && correlationId.isBlank()) {
            errors.add(new FieldError("correlationId", "must not be blank"));
        } else if (namespace != null && namespace.isBlank()) {
            errors.add(new FieldError("namespace", "must not be blank"));
        }
        if (reason == null || reason.isBlank()) {
            errors.add(new FieldError("reason", "is required and must not be blank"));
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            errors.add(new FieldError("expiresAt", "must lie in the future"));
        }
        return errors;
    }
}
