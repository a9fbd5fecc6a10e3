package io.datastorage.embedding.onnx;

import io.datastorage.core.embedding.Embedder;

/**
 * Builds the in-process all-MiniLM-L6-v2 embedder: 384 dimensions, L2-normalised, texts truncated
 * to the 256 word pieces the model was trained on. The model and its tokenizer are read from the
 * classpath (a Maven Central artifact), so nothing is downloaded at run time.
 *
 * <pre>{@code
 * try (CloseableEmbedder embedder = OnnxEmbedder.builder().intraOpThreads(2).build()) {
 *     float[] vector = embedder.embed(List.of("pod api-7f9 OOMKilled")).getFirst();
 * }
 * }</pre>
 */
public final class OnnxEmbedder {
    /** Word pieces per text, [CLS] and [SEP] included: the window all-MiniLM-L6-v2 was trained on. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    private OnnxEmbedder() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An {@link Embedder} that holds native resources. */
    public interface CloseableEmbedder extends Embedder, AutoCloseable {
        @Override
        void close();
    }

    public static final class Builder {
        private int intraOpThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int soloThreads = 0;
        private int maxTokens = DEFAULT_MAX_TOKENS;

        private Builder() {
        }

        /** Threads one inference may use (ONNX Runtime intra-op parallelism); default: all cores. */
        public Builder intraOpThreads(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("intraOpThreads must be 1..256, was " + threads);
            }
            this.intraOpThreads = threads;
            return this;
        }

        /**
         * Threads an inference may use while no other is running (a second session of the same
         * model); default: the same as {@link #intraOpThreads}, with a single session. With
         * {@code intraOpThreads(1).soloThreads(cores)}, concurrent inferences each keep to one core
         * and a lone one uses them all.
         */
        public Builder soloThreads(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("soloThreads must be 1..256, was " + threads);
            }
            this.soloThreads = threads;
            return this;
        }

        /** Longest input in word pieces; longer texts are cut, never split. 8..512. */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 8 || maxTokens > 512) {
                throw new IllegalArgumentException("maxTokens must be 8..512, was " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /** Loads the model (about 90 MB, twice with {@link #soloThreads}) and the tokenizer. */
        public CloseableEmbedder build() {
            return OnnxMiniLmEmbedder.load(intraOpThreads, soloThreads == 0 ? intraOpThreads : soloThreads, maxTokens);
        }
    }
}
