package io.datastorage.core.index;

/** Whether the index serves calls now, and why not. */
public record IndexHealth(boolean up, String detail) {
    public static IndexHealth up(String detail) {
        return new IndexHealth(true, detail);
    }

    public static IndexHealth down(String detail) {
        return new IndexHealth(false, detail);
    }
}
