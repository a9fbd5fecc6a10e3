package io.datastorage.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The exact top k and recall with ties: records repeating a text share a vector. */
class ExactSearchTest {
    private static final float[] QUERY = {1, 0, 0};

    private final List<UUID> same = ids(12);
    private final List<UUID> other = ids(5);
    private final ExactSearch exact = exact();

    @Test
    void anyOfTheTiedBestRecordsCountsAsRight() {
        double[] top = exact.topScores(QUERY, 10);

        assertThat(top).hasSize(10).containsOnly(1.0);
        // The last ten of the twelve equal records: not "the" exact ten, but just as good.
        assertThat(exact.recall(QUERY, same.subList(2, 12), top)).isEqualTo(1.0);
    }

    @Test
    void worseRecordsInTheAnswerCostRecall() {
        double[] top = exact.topScores(QUERY, 10);
        List<UUID> answer = new ArrayList<>(same.subList(0, 8));
        answer.addAll(other.subList(0, 2));

        assertThat(exact.recall(QUERY, answer, top)).isEqualTo(0.8);
        assertThat(exact.recall(QUERY, List.of(UUID.randomUUID()), top)).isEqualTo(0.0);
    }

    @Test
    void topScoresComeBestFirst() {
        double[] top = exact.topScores(new float[]{0, 1, 0}, 3);

        assertThat(top).containsExactly(1.0, 1.0, 1.0);
        double[] mixed = exact.topScores(new float[]{1, 2, 0}, 14); // the five "other" records score higher now
        assertThat(mixed[0]).isEqualTo(mixed[4]);
        assertThat(mixed[4]).isGreaterThan(mixed[5]);
        assertThat(mixed[5]).isEqualTo(mixed[13]);
    }

    @Test
    void countsVectorsThatAreEqualBitwiseOnce() {
        assertThat(exact.distinctVectors()).isEqualTo(2);

        ExactSearch nearlyEqual = new ExactSearch(ids(2), List.of(new float[]{1, 0, 0}, new float[]{1, Math.ulp(0f), 0}));
        assertThat(nearlyEqual.distinctVectors()).isEqualTo(2);
    }

    private ExactSearch exact() {
        List<UUID> ids = new ArrayList<>(same);
        ids.addAll(other);
        List<float[]> vectors = new ArrayList<>();
        same.forEach(id -> vectors.add(new float[]{1, 0, 0}));
        other.forEach(id -> vectors.add(new float[]{0, 1, 0}));
        return new ExactSearch(ids, vectors);
    }

    private static List<UUID> ids(int count) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }
}
