package io.datastorage.core.audit;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;

import java.util.List;

/**
 * The input was rejected; retrying the same input cannot help: permanent for the request (a
 * failure of {@link Component#REQUEST}). Carries every violation found,
 * not just the first: {@link #errors()} lists them (capped, see {@link FieldErrors}) and
 * {@link #count()} counts them all.
 */
public final class AuditValidationException extends PermanentException {
    private final List<FieldError> errors;
    private final int count;

    public AuditValidationException(List<FieldError> errors) {
        this(errors, errors.size());
    }

    /** @param count how many violations there were; at least as many as listed */
    public AuditValidationException(List<FieldError> errors, int count) {
        super(Component.REQUEST, count + " invalid field(s): " + errors.stream().limit(5)
                .map(e -> (e.field().isEmpty() ? "body" : e.field()) + " " + e.message()).toList(), null);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one error");
        }
        this.errors = List.copyOf(errors);
        this.count = count;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** How many violations the request had, including those not listed. */
    public int count() {
        return count;
    }
}
