package io.datastorage.core.audit;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Severity of the signal behind a remediation; written in lower case. */
public enum Severity {
    INFO, WARNING, CRITICAL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Severity> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.wireName().equals(value)).findFirst();
    }

    public static String allowed() {
        return Arrays.stream(values()).map(Severity::wireName).collect(Collectors.joining(", "));
    }
}
