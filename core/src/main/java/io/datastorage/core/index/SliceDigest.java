package io.datastorage.core.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * For each slice of the id space ({@link IdSlices}): how many entries it holds and the XOR of
 * their fingerprints. Two stores holding the same entries with the same fingerprints have equal
 * digests; a missing, extra or changed entry changes its slice's digest (but for a 2^-64 chance
 * per changed slice). Comparing digests tells which slices to compare entry by entry.
 */
public final class SliceDigest {
    private final int bits;
    private final long[] counts;
    private final long[] xors;

    public SliceDigest(int bits) {
        this.bits = bits;
        this.counts = new long[IdSlices.count(bits)];
        this.xors = new long[counts.length];
    }

    public int bits() {
        return bits;
    }

    public void add(UUID id, long fingerprint) {
        int slice = IdSlices.sliceOf(id, bits);
        counts[slice]++;
        xors[slice] ^= fingerprint;
    }

    /** Adds a slice's aggregate computed elsewhere (by a database query, say). */
    public void addSlice(int slice, long count, long xor) {
        counts[slice] += count;
        xors[slice] ^= xor;
    }

    public long count(int slice) {
        return counts[slice];
    }

    public long total() {
        return Arrays.stream(counts).sum();
    }

    /** The slices where the two digests differ, ascending. */
    public List<Integer> differing(SliceDigest other) {
        if (other.bits != bits) {
            throw new IllegalArgumentException("digests of " + bits + " and " + other.bits + " bits do not compare");
        }
        List<Integer> slices = new ArrayList<>();
        for (int slice = 0; slice < counts.length; slice++) {
            if (counts[slice] != other.counts[slice] || xors[slice] != other.xors[slice]) {
                slices.add(slice);
            }
        }
        return slices;
    }

    /**
     * The fingerprint of a checksum: the first 64 bits of a hex checksum (what
     * {@link io.datastorage.core.store.IndexableRecord#checksum()} makes), a 64-bit FNV-1a hash of
     * any other text, 0 for none.
     */
    public static long fingerprint(String checksum) {
        if (checksum == null) {
            return 0L;
        }
        if (checksum.length() >= 16 && checksum.chars().limit(16).allMatch(c -> Character.digit(c, 16) >= 0)) {
            return Long.parseUnsignedLong(checksum, 0, 16, 16);
        }
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < checksum.length(); i++) {
            hash = (hash ^ checksum.charAt(i)) * 0x100000001b3L;
        }
        return hash;
    }
}
