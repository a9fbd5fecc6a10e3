package io.datastorage.bench;

import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.VectorIndexes;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The exact answer over a read set whose records share their texts' vectors
 * ({@link RepeatedTexts}): one cosine per distinct text gives every record's exact score, and the
 * k-th best record score comes from walking the texts best first with their record counts (all
 * records, or those of one namespace). Judges a search's answer against it:
 * <ul>
 *   <li>recall@k with ties counted as right: a hit is right when it matches the namespace and its
 *       exact cosine reaches the exact k-th best less {@value #TIE}; recall is right hits (at most
 *       k) / min(k, matching records);</li>
 *   <li>found, for a query that is a record's own text: the first hit carries that text, matches
 *       the namespace and its exact cosine with the query is at least {@value #SAME}.</li>
 * </ul>
 */
final class ExactByText {
    static final double TIE = 1e-6;
    static final double SAME = 0.9999;

    private final RepeatedTexts set;
    private final List<float[]> textVectors;
    private final String[] namespaces;
    private final int k;
    private final Map<UUID, Integer> positions;
    private final Map<String, int[]> countsByNamespace = new HashMap<>();

    /**
     * @param ids        each record's id, by position in {@code set}
     * @param namespaces each record's namespace, by position
     */
    ExactByText(RepeatedTexts set, List<float[]> textVectors, UUID[] ids, String[] namespaces, int k) {
        if (textVectors.size() != set.distinctTexts() || ids.length != set.records() || namespaces.length != set.records()) {
            throw new IllegalArgumentException("one vector per text and one id and namespace per record expected");
        }
        this.set = set;
        this.textVectors = textVectors;
        this.namespaces = namespaces;
        this.k = k;
        this.positions = new HashMap<>(ids.length * 2);
        for (int r = 0; r < ids.length; r++) {
            positions.put(ids[r], r);
            countsByNamespace.computeIfAbsent(namespaces[r], n -> new int[set.distinctTexts()])[set.textOf(r)]++;
        }
    }

    /** Records in {@code namespace}. */
    int records(String namespace) {
        return Arrays.stream(countsByNamespace.getOrDefault(namespace, new int[0])).sum();
    }

    /** The exact cosine of every distinct text to the query. */
    double[] scores(float[] query) {
        double[] scores = new double[textVectors.size()];
        for (int t = 0; t < scores.length; t++) {
            scores[t] = VectorIndexes.cosine(query, textVectors.get(t));
        }
        return scores;
    }

    /**
     * Recall@k of {@code hits} for the query whose {@link #scores} are given, among the records of
     * {@code namespace} (null: all records); 1 when no record matches.
     */
    double recall(double[] scores, List<IndexHit> hits, String namespace) {
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, t -> t);
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        int seen = 0;
        double kth = Double.NEGATIVE_INFINITY;
        for (int t : order) {
            int c = count(t, namespace);
            if (c > 0) {
                seen += c;
                kth = scores[t];
                if (seen >= k) {
                    break;
                }
            }
        }
        int expected = Math.min(k, seen);
        if (expected == 0) {
            return 1.0;
        }
        double threshold = kth - TIE;
        long right = hits.stream().limit(k).map(hit -> positions.get(hit.id()))
                .filter(r -> r != null && matches(r, namespace) && scores[set.textOf(r)] >= threshold).count();
        return Math.min(right, expected) / (double) expected;
    }

    /** Whether the first of {@code hits} is a record carrying {@code text}, scoring as that text does. */
    boolean found(double[] scores, int text, List<IndexHit> hits, String namespace) {
        if (hits.isEmpty()) {
            return false;
        }
        Integer first = positions.get(hits.getFirst().id());
        return first != null && matches(first, namespace) && set.textOf(first) == text && scores[text] >= SAME;
    }

    private int count(int text, String namespace) {
        if (namespace == null) {
            return set.count(text);
        }
        int[] counts = countsByNamespace.get(namespace);
        return counts == null ? 0 : counts[text];
    }

    private boolean matches(int record, String namespace) {
        return namespace == null || namespace.equals(namespaces[record]);
    }
}
