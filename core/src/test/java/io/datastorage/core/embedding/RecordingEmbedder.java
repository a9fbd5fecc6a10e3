package io.datastorage.core.embedding;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A deterministic test embedder: each text's vector is derived from its bytes, and every call is
 * recorded, so tests can tell which texts reached the model and in which batches.
 */
public class RecordingEmbedder implements Embedder {
    public static final int DIMENSION = 8;

    private final List<List<String>> calls = new CopyOnWriteArrayList<>();

    @Override
    public List<float[]> embed(List<String> texts) {
        calls.add(List.copyOf(texts));
        return texts.stream().map(RecordingEmbedder::vectorOf).toList();
    }

    public static float[] vectorOf(String text) {
        float[] vector = new float[DIMENSION];
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            vector[i % DIMENSION] += bytes[i] * (i + 1);
        }
        vector[DIMENSION - 1] += bytes.length;
        return vector;
    }

    /** The texts of every call, one list per call, in call order. */
    public List<List<String>> calls() {
        return calls;
    }

    public int textsEmbedded() {
        return calls.stream().mapToInt(List::size).sum();
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String modelId() {
        return "recording@" + DIMENSION;
    }
}
