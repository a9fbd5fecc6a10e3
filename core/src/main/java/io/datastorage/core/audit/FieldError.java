package io.datastorage.core.audit;

import java.util.Objects;

/**
 * One rejected field. {@code field} is the JSON path of the value: {@code name},
 * {@code labels.team}, {@code [3].createdAt} in a batch, or {@code ""} for the body itself.
 */
public record FieldError(String field, String message) {
    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    FieldError prefixed(String prefix) {
        return new FieldError(field.isEmpty() ? prefix : prefix + "." + field, message);
    }
}
