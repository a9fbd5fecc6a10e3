package io.datastorage.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Which text each record of a read set carries, the way an audit trail repeats itself: most
 * records carry one of a few thousand texts whose frequencies fall off like Zipf's law (the same
 * alert every night, a few ones often, many ones now and then), the rest carry a text of their own.
 * Texts {@code 0..zipfTexts-1} are the repeated ones, most frequent first; the texts after them are
 * the unique ones, one record each. Record order is shuffled, so repeats are spread over the set.
 *
 * <p>The counts are exact, not sampled: text of rank r (from 1) gets the share 1/r^s / Σ 1/i^s of
 * the repeated records, rounded down, at least 1; the rounding's remainder goes one each to the
 * most frequent texts. So a run states its distribution instead of drawing it.
 */
final class RepeatedTexts {
    private final int zipfTexts;
    private final int[] countOf;
    private final int[] textOf;

    private RepeatedTexts(int zipfTexts, int[] countOf, int[] textOf) {
        this.zipfTexts = zipfTexts;
        this.countOf = countOf;
        this.textOf = textOf;
    }

    /**
     * @param records       records in the set
     * @param zipfTexts     distinct repeated texts
     * @param exponent      the Zipf exponent s (1: the second text is half as frequent as the first)
     * @param uniqueShare   share of the records that carry a text of their own, in [0, 1)
     * @throws IllegalArgumentException when the repeated records are fewer than the repeated texts
     */
    static RepeatedTexts of(int records, int zipfTexts, double exponent, double uniqueShare, long seed) {
        if (uniqueShare < 0 || uniqueShare >= 1) {
            throw new IllegalArgumentException("uniqueShare must be in [0, 1), was " + uniqueShare);
        }
        if (exponent < 0) {
            throw new IllegalArgumentException("exponent must be at least 0, was " + exponent);
        }
        int unique = (int) Math.round(records * uniqueShare);
        int repeated = records - unique;
        if (zipfTexts < 1 || zipfTexts > repeated) {
            throw new IllegalArgumentException("zipfTexts must be 1.." + repeated + " (the records without a unique text), was "
                    + zipfTexts);
        }
        double[] weights = new double[zipfTexts];
        double sum = 0;
        for (int r = 0; r < zipfTexts; r++) {
            weights[r] = 1 / Math.pow(r + 1, exponent);
            sum += weights[r];
        }
        int[] countOf = new int[zipfTexts + unique];
        long assigned = 0;
        for (int r = 0; r < zipfTexts; r++) {
            countOf[r] = Math.max(1, (int) Math.floor(repeated * weights[r] / sum));
            assigned += countOf[r];
        }
        // The floor of 1 per text can overshoot on a flat tail; the first texts give back.
        for (int r = 0; assigned > repeated; r = (r + 1) % zipfTexts) {
            if (countOf[r] > 1) {
                countOf[r]--;
                assigned--;
            }
        }
        // The rounding's remainder (fewer than one per text): one more each to the most frequent texts.
        for (int r = 0; assigned < repeated; r++) {
            countOf[r]++;
            assigned++;
        }
        Arrays.fill(countOf, zipfTexts, countOf.length, 1);

        int[] textOf = new int[records];
        int next = 0;
        for (int t = 0; t < countOf.length; t++) {
            Arrays.fill(textOf, next, next + countOf[t], t);
            next += countOf[t];
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = records - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = textOf[i];
            textOf[i] = textOf[j];
            textOf[j] = swap;
        }
        return new RepeatedTexts(zipfTexts, countOf, textOf);
    }

    int records() {
        return textOf.length;
    }

    /** Distinct texts, repeated and unique. */
    int distinctTexts() {
        return countOf.length;
    }

    /** The text of the record at {@code record}, in {@code 0..distinctTexts()-1}. */
    int textOf(int record) {
        return textOf[record];
    }

    /** How many records carry {@code text}. */
    int count(int text) {
        return countOf[text];
    }

    /** Whether {@code text} is carried by one record only, by construction. */
    boolean isUnique(int text) {
        return text >= zipfTexts;
    }

    int zipfTexts() {
        return zipfTexts;
    }

    int uniqueTexts() {
        return countOf.length - zipfTexts;
    }

    /** Records carrying the most frequent text. */
    int topCount() {
        return countOf[0];
    }

    /** For a run's output: distinct texts, the most frequent one's count, the unique ones. */
    String describe() {
        int ten = 0;
        for (int r = 0; r < zipfTexts; r++) {
            if (countOf[r] >= 10) {
                ten++;
            }
        }
        return String.format(Locale.ROOT, "%,d records, %,d distinct texts: %,d repeated (Zipf-like; the most frequent on "
                        + "%,d records, the 10th on %,d, the last on %,d; %,d texts on 10 or more) and %,d unique",
                records(), distinctTexts(), zipfTexts, topCount(), countOf[Math.min(9, zipfTexts - 1)],
                countOf[zipfTexts - 1], ten, uniqueTexts());
    }
}
