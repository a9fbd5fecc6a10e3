package io.datastorage.core.index;

import java.util.UUID;

/**
 * The id space cut into {@code 2^bits} equal slices by the leading bits of the id, so two stores
 * can compare what they hold slice by slice. Slice order is the order of canonical id strings
 * (and of PostgreSQL {@code uuid} values): slice {@code s} holds the ids whose first {@code bits}
 * bits, read as an unsigned number, are {@code s}.
 */
public final class IdSlices {
    public static final int MIN_BITS = 1;
    public static final int MAX_BITS = 16;

    private IdSlices() {
    }

    public static int count(int bits) {
        checkBits(bits);
        return 1 << bits;
    }

    public static int sliceOf(UUID id, int bits) {
        checkBits(bits);
        return (int) (id.getMostSignificantBits() >>> (64 - bits));
    }

    /** The smallest id in the slice. */
    public static UUID first(int slice, int bits) {
        checkSlice(slice, bits);
        return new UUID((long) slice << (64 - bits), 0L);
    }

    /** The id just before the slice (for "ids after" walks), or null for the first slice. */
    public static UUID before(int slice, int bits) {
        checkSlice(slice, bits);
        if (slice == 0) {
            return null;
        }
        return new UUID(((long) slice << (64 - bits)) - 1, -1L);
    }

    /**
     * The leading {@code bits} bits of the id as {@code bits / 4} rounded up hex digits, the way
     * a database can compute the slice from an id's text: {@code substr(id::text, 1, n)}.
     */
    public static int hexDigits(int bits) {
        checkBits(bits);
        return (bits + 3) / 4;
    }

    /** The slice of an id whose first {@link #hexDigits} hex digits are {@code prefix}. */
    public static int sliceOfHexPrefix(String prefix, int bits) {
        return (int) (Long.parseLong(prefix, 16) >>> (4 * hexDigits(bits) - bits));
    }

    private static void checkBits(int bits) {
        if (bits < MIN_BITS || bits > MAX_BITS) {
            throw new IllegalArgumentException("slice bits must be " + MIN_BITS + ".." + MAX_BITS + ", was " + bits);
        }
    }

    private static void checkSlice(int slice, int bits) {
        if (slice < 0 || slice >= count(bits)) {
            throw new IllegalArgumentException("slice must be 0.." + (count(bits) - 1) + ", was " + slice);
        }
    }
}
