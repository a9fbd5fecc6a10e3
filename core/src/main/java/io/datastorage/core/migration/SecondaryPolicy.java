package io.datastorage.core.migration;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a dual-write phase does when the secondary write fails after the primary committed
 * ({@code datastorage.migration.secondary}).
 */
public enum SecondaryPolicy {
    /** Keep the primary's write and answer success: the secondary write stays queued and the job retries it. */
    QUEUE,
    /** Undo the primary's write and answer 503: nothing was stored (or, when the undo fails, the outcome is unknown). */
    FAIL;

    /** The property value: the name in lower case. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value a property value, case-insensitive, surrounding blanks ignored
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static SecondaryPolicy parse(String value) {
        for (SecondaryPolicy policy : values()) {
            if (value != null && policy.value().equals(value.strip().toLowerCase(Locale.ROOT))) {
                return policy;
            }
        }
        throw new IllegalArgumentException("secondary policy '" + value + "' is not one of "
                + Arrays.stream(values()).map(SecondaryPolicy::value).collect(Collectors.joining(", ")));
    }
}
