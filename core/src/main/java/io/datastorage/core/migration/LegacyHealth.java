package io.datastorage.core.migration;

/** Whether the legacy store serves calls now, and why not. The detail names no secret. */
public record LegacyHealth(boolean up, String detail) {
    public static LegacyHealth up(String detail) {
        return new LegacyHealth(true, detail);
    }

    public static LegacyHealth down(String detail) {
        return new LegacyHealth(false, detail);
    }
}
