package io.datastorage.core.index;

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
