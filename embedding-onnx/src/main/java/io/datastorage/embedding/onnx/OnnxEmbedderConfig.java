package io.datastorage.embedding.onnx;

import static io.datastorage.core.config.ConfigChecks.range;

/**
 * The in-process model's share of the machine. Immutable; a bad value is an
 * {@link io.datastorage.core.config.InvalidConfigException} naming the setting as below.
 *
 * @param threads {@code threads}: threads one inference may use, 0..256; 0 means one per core
 */
public record OnnxEmbedderConfig(int threads) {

    public OnnxEmbedderConfig {
        range("threads", threads, 0, 256);
    }

    /** Threads per inference while others run, with 0 resolved to the number of cores. */
    public int intraOpThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /** Threads an inference may use when it runs alone: never fewer than the cores. */
    public int soloThreads() {
        return Math.max(intraOpThreads(), Runtime.getRuntime().availableProcessors());
    }

    /** The model as configured here. */
    public OnnxEmbedder.CloseableEmbedder build() {
        return OnnxEmbedder.builder().intraOpThreads(intraOpThreads()).soloThreads(soloThreads()).build();
    }
}
