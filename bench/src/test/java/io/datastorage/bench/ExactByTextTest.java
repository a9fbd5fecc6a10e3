package io.datastorage.bench;

import io.datastorage.core.index.IndexHit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Judging an answer on a read set whose records share their texts' vectors: ties counted as
 * right, filters respected, an exact match found only when the first hit carries the query's text.
 */
class ExactByTextTest {
    private static final float[] X = {1, 0, 0};

    // 30 records: text 0 on 18, text 1 on 9, texts 2..4 on one each.
    private final RepeatedTexts set = RepeatedTexts.of(30, 2, 1.0, 0.1, 7L);
    private final List<float[]> vectors = List.of(
            new float[]{1, 0, 0},        // text 0: the query's own text, on 18 records
            new float[]{0.8f, 0.6f, 0},  // text 1: close, on 9
            new float[]{0, 1, 0},        // text 2: far
            new float[]{0.6f, 0.8f, 0},  // text 3: between
            new float[]{0, 0, 1});       // text 4: orthogonal
    private final UUID[] ids = IntStream.range(0, 30).mapToObj(i -> UUID.randomUUID()).toArray(UUID[]::new);
    private final String[] namespaces = IntStream.range(0, 30).mapToObj(i -> i % 3 == 0 ? "rare" : "prod").toArray(String[]::new);
    private final ExactByText exact = new ExactByText(set, vectors, ids, namespaces, 10);

    @Test
    void theReadSetIsShapedAsTheseTestsAssume() {
        assertThat(IntStream.range(0, 5).map(set::count)).containsExactly(18, 9, 1, 1, 1);
    }

    @Test
    void anyTenOfTheRecordsSharingTheBestVectorAreAllRight() {
        double[] scores = exact.scores(X);

        assertThat(exact.recall(scores, hits(recordsOf(0).subList(8, 18)), null)).isEqualTo(1.0);
        assertThat(exact.recall(scores, hits(recordsOf(0).subList(0, 5)), null)).isEqualTo(0.5);
    }

    @Test
    void aWorseTextInTheAnswerIsWrongWhileTheBestAreNotAllReturned() {
        double[] scores = exact.scores(X);
        List<Integer> answer = new ArrayList<>(recordsOf(0).subList(0, 9));
        answer.add(recordsOf(1).getFirst());

        assertThat(exact.recall(scores, hits(answer), null)).isEqualTo(0.9);
    }

    @Test
    void withAFilterTheTopTenAreTakenAmongMatchingRecordsOnly() {
        double[] scores = exact.scores(X);
        List<Integer> rare = IntStream.range(0, 30).filter(r -> namespaces[r].equals("rare")).boxed().toList();
        List<Integer> rareOfText0 = recordsOf(0).stream().filter(rare::contains).toList();

        // The rare namespace holds exactly ten records: they are its top ten, whatever their texts.
        assertThat(rare).hasSize(10);
        assertThat(exact.recall(scores, hits(rare), "rare")).isEqualTo(1.0);
        assertThat(exact.recall(scores, hits(rareOfText0), "rare")).isEqualTo(rareOfText0.size() / 10.0);
        // A record outside the namespace is never right, however well it scores.
        List<Integer> prodOfText0 = recordsOf(0).stream().filter(r -> !rare.contains(r)).toList();
        assertThat(exact.recall(scores, hits(prodOfText0), "rare")).isEqualTo(0.0);
    }

    @Test
    void whenFewerThanTenRecordsMatchRecallIsOverThoseThatDo() {
        ExactByText small = new ExactByText(set, vectors, ids, namespaces, 40);
        double[] scores = small.scores(X);

        List<Integer> all = IntStream.range(0, 30).boxed().toList();
        assertThat(small.recall(scores, hits(all), null)).isEqualTo(1.0);
        assertThat(small.recall(scores, hits(all.subList(0, 15)), null)).isEqualTo(0.5);
        assertThat(small.recall(scores, hits(List.of()), "no such namespace")).isEqualTo(1.0);
    }

    @Test
    void anExactMatchIsFoundOnlyWhenTheFirstHitCarriesTheQueryText() {
        int unique = 3;
        int record = recordsOf(unique).getFirst();
        double[] scores = exact.scores(vectors.get(unique));

        assertThat(exact.found(scores, unique, hits(List.of(record)), null)).isTrue();
        assertThat(exact.found(scores, unique, hits(List.of(recordsOf(1).getFirst(), record)), null)).isFalse();
        assertThat(exact.found(scores, unique, hits(List.of()), null)).isFalse();
        String other = namespaces[record].equals("rare") ? "prod" : "rare";
        assertThat(exact.found(scores, unique, hits(List.of(record)), other)).isFalse();
        assertThat(exact.found(scores, unique, hits(List.of(record)), namespaces[record])).isTrue();
    }

    @Test
    void aHitThatIsNoRecordOfTheSetIsWrong() {
        double[] scores = exact.scores(X);

        assertThat(exact.recall(scores, List.of(new IndexHit(UUID.randomUUID(), 1.0)), null)).isEqualTo(0.0);
        assertThat(exact.found(scores, 0, List.of(new IndexHit(UUID.randomUUID(), 1.0)), null)).isFalse();
    }

    private List<Integer> recordsOf(int text) {
        return IntStream.range(0, set.records()).filter(r -> set.textOf(r) == text).boxed().toList();
    }

    private List<IndexHit> hits(List<Integer> records) {
        return records.stream().map(r -> new IndexHit(ids[r], 0.5)).toList();
    }
}
