package io.datastorage.core.audit;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** Lifecycle phase of the audited object; written exactly as named here. */
public enum Phase {
    Pending, Processing, Completed, Failed;

    public static Optional<Phase> parse(String value) {
        return Arrays.stream(values()).filter(p -> p.name().equals(value)).findFirst();
    }

    public static String allowed() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
