package io.datastorage.core.audit;

import java.util.Objects;

/** One accepted field of an audit kind. */
public record FieldSpec(String name, FieldType type, boolean required) {

    public FieldSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    static FieldSpec required(String name, FieldType type) {
        return new FieldSpec(name, type, true);
    }

    static FieldSpec optional(String name, FieldType type) {
        return new FieldSpec(name, type, false);
    }
}
