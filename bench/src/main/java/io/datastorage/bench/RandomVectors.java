package io.datastorage.bench;

import java.util.Random;

/** Random vectors for benchmarks that measure storage, not the model. */
final class RandomVectors {
    private RandomVectors() {
    }

    /** A vector of {@code dimension} Gaussian components scaled to length 1 (uniform on the sphere). */
    static float[] unit(Random random, int dimension) {
        float[] v = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        float length = (float) Math.sqrt(norm);
        for (int i = 0; i < dimension; i++) {
            v[i] /= length;
        }
        return v;
    }
}
