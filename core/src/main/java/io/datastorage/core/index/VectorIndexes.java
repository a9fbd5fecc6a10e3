package io.datastorage.core.index;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Argument checks and the similarity every backend shares. */
public final class VectorIndexes {
    private VectorIndexes() {
    }

    /**
     * Refuses an entry whose vector does not have the index's dimension, is not finite, or is all
     * zeros (it has no direction, so no cosine similarity).
     */
    public static void checkEntry(IndexEntry entry, int dimension) {
        if (entry.vector().length != dimension) {
            throw new IllegalArgumentException("the vector of " + entry.id() + " has " + entry.vector().length
                    + " dimensions; the index holds " + dimension);
        }
        boolean zero = true;
        for (float v : entry.vector()) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("the vector of " + entry.id() + " has a non-finite component");
            }
            zero &= v == 0;
        }
        if (zero) {
            throw new IllegalArgumentException("the vector of " + entry.id() + " is all zeros");
        }
    }

    public static void checkQuery(float[] vector, int k, int dimension) {
        if (vector.length != dimension) {
            throw new IllegalArgumentException("the query vector has " + vector.length + " dimensions; the index holds "
                    + dimension);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, was " + k);
        }
    }

    /**
     * The identity of a vector's exact value: the first 128 bits of the SHA-256 of its components'
     * IEEE 754 bits (big-endian), as 32 lowercase hex digits. Records whose vectors have the same key
     * hold the same vector; backends group them into one graph entry and the search reports how
     * many records share it. A collision needs about 2<sup>64</sup> distinct vectors.
     */
    public static String vectorKey(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES * vector.length);
        for (float v : vector) {
            bytes.putInt(Float.floatToIntBits(v));
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        return HexFormat.of().formatHex(sha256.digest(bytes.array()), 0, 16);
    }

    /** Cosine similarity of two vectors, in [-1, 1]; 0 when either is all zeros. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return normA == 0 || normB == 0 ? 0 : Math.max(-1, Math.min(1, dot / Math.sqrt(normA * normB)));
    }
}
