package io.datastorage.core.audit;

import java.util.List;

/**
 * The input was rejected; retrying the same input cannot help. Carries every violation found,
 * not just the first.
 */
public final class AuditValidationException extends RuntimeException {
    private final List<FieldError> errors;

    public AuditValidationException(List<FieldError> errors) {
        super(errors.size() + " invalid field(s): " + errors.stream().limit(5)
                .map(e -> (e.field().isEmpty() ? "body" : e.field()) + " " + e.message()).toList());
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
