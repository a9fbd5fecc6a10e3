package io.datastorage.embedding.onnx;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Against the real model. */
class OnnxMiniLmEmbedderTest {
    static OnnxMiniLmEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = (OnnxMiniLmEmbedder) OnnxEmbedder.builder().intraOpThreads(2).build();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot; // both are unit vectors
    }

    @Test
    void returns384DimensionalUnitVectorsInInputOrder() {
        List<float[]> vectors = embedder.embed(List.of("pod OOMKilled", "disk pressure on node", "x"));

        assertThat(vectors).hasSize(3).allSatisfy(v -> {
            assertThat(v).hasSize(384);
            assertThat(Math.sqrt(cosine(v, v))).isCloseTo(1.0, within(1e-5));
        });
        assertThat(embedder.dimension()).isEqualTo(384);
        assertThat(embedder.modelId()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2@256");
    }

    @Test
    void isDeterministicAndIndependentOfBatchCompanions() {
        String text = "Deployment payments-api restarted after OOMKilled; memory limit raised to 2Gi";

        float[] alone = embedder.embed(List.of(text)).getFirst();
        float[] again = embedder.embed(List.of(text)).getFirst();
        float[] padded = embedder.embed(List.of("a much longer companion text that forces padding of the shorter one "
                + "in the same batch, well beyond its own length", text)).get(1);

        assertThat(again).isEqualTo(alone);
        assertThat(cosine(padded, alone)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void aLargeCallOfMixedLengthsIsRunInSeveralPassesAndKeepsTheInputOrder() {
        List<String> texts = java.util.stream.IntStream.range(0, 2 * OnnxMiniLmEmbedder.MAX_PASS + 5)
                .mapToObj(i -> "incident " + i + (" on node worker-" + i).repeat(1 + (i * 7) % 13))
                .toList();

        List<float[]> together = embedder.embed(texts);

        assertThat(together).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertThat(cosine(together.get(i), embedder.embed(List.of(texts.get(i))).getFirst()))
                    .as("text %d", i).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void concurrentAndLonePassesGiveTheSameVectors() throws Exception {
        List<String> texts = List.of("PodOOMKilled: payments-7f9 exceeded 512Mi", "node-3 under disk pressure",
                "rollback of release 42 after CrashLoopBackOff");
        try (var twoSessions = OnnxEmbedder.builder().intraOpThreads(1).soloThreads(2).build();
             var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<List<float[]>>> concurrent = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                concurrent.add(pool.submit(() -> twoSessions.embed(texts)));
            }
            List<float[]> reference = embedder.embed(texts);
            for (var future : concurrent) {
                List<float[]> vectors = future.get();
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(cosine(vectors.get(i), reference.get(i))).isCloseTo(1.0, within(1e-5));
                }
            }
        }
    }

    @Test
    void scoresSimilarIncidentsAboveUnrelatedOnes() {
        List<float[]> v = embedder.embed(List.of(
                "Pod payments-api-7f9 in namespace prod was OOMKilled: container exceeded its 512Mi memory limit",
                "Container checkout-worker terminated with reason OOMKilled after running out of memory",
                "Node worker-3 reports DiskPressure: ephemeral storage usage above 90 percent"));

        assertThat(cosine(v.get(0), v.get(1))).isGreaterThan(cosine(v.get(0), v.get(2)) + 0.1);
    }

    @Test
    void truncatesLongTextsToTheWindowInsteadOfSplittingThem() {
        String head = "Pod payments-api was OOMKilled in namespace prod. ";
        String longText = head + "unrelated trailing filler about disk pressure and network policies. ".repeat(200);

        assertThat(embedder.tokenCount(longText)).isEqualTo(256);
        // Whatever lies beyond the window has no influence: two texts that share the first
        // 256 word pieces get the same vector.
        float[] a = embedder.embed(List.of(longText + " completely different ending about certificates")).getFirst();
        float[] b = embedder.embed(List.of(longText + " another ending about DNS failures")).getFirst();
        assertThat(cosine(a, b)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void agreesWithTheReferenceImplementationOnTextsWithinTheWindow() {
        var reference = new dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel();
        for (String text : List.of("pod OOMKilled", "用户-τεστ <script>", "Node worker-3 reports DiskPressure")) {
            float[] expected = reference.embed(text).content().vector();
            float[] actual = embedder.embed(List.of(text)).getFirst();

            assertThat(cosine(actual, expected)).as(text).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void embedsNothingForNoTexts() {
        assertThat(embedder.embed(List.of())).isEmpty();
    }

    @Test
    void rejectsSettingsOutOfRange() {
        assertThatThrownBy(() -> OnnxEmbedder.builder().intraOpThreads(0)).hasMessage("intraOpThreads must be 1..256, was 0");
        assertThatThrownBy(() -> OnnxEmbedder.builder().maxTokens(1000)).hasMessage("maxTokens must be 8..512, was 1000");
    }
}
