package io.datastorage.core.migration;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** When a dual-write phase writes the secondary ({@code datastorage.migration.secondary-mode}). */
public enum SecondaryMode {
    /** Before answering, right after the primary; its failure is handled by the {@link SecondaryPolicy}. */
    SYNC,
    /** After answering: the queue job writes it (the primary's transaction queued it). */
    ASYNC;

    /** The property value: the name in lower case. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value a property value, case-insensitive, surrounding blanks ignored
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static SecondaryMode parse(String value) {
        for (SecondaryMode mode : values()) {
            if (value != null && mode.value().equals(value.strip().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("secondary mode '" + value + "' is not one of "
                + Arrays.stream(values()).map(SecondaryMode::value).collect(Collectors.joining(", ")));
    }
}
